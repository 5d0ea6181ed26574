"""Architectures: recursions in the kernel algebra, nothing else (no evaluation here)."""

from .classic import gaussian, laplace
from .conv import conv
from .fc import arccos_kernel, fc
from .resnet import resnet

__all__ = ["fc", "resnet", "conv", "arccos_kernel", "laplace", "gaussian"]
