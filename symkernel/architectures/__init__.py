"""Architectures: recursions in the kernel algebra, nothing else (no evaluation here)."""

from .classic import gaussian, laplace
from .fc import arccos_kernel, fc

__all__ = ["fc", "arccos_kernel", "laplace", "gaussian"]
