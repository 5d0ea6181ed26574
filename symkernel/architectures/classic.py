r"""Classical dot-product kernels for comparison: Laplace and Gaussian on the sphere.

For unit vectors, :math:`\|x - y\|^2 = 2(1 - t)`, so

* Laplace: :math:`e^{-c\sqrt{1-t}}` (= :math:`e^{-(c/\sqrt2)\|x-y\|}`), whose RKHS equals that of the
  ReLU NTK (Geifman et al. 2020; Chen & Xu 2021);
* Gaussian: :math:`e^{-c(1-t)}` (= :math:`e^{-\|x-y\|^2/(2\sigma^2)}` with :math:`c = 1/\sigma^2`).
"""

from __future__ import annotations

from typing import Any

from ..algebra import Input, exp, sqrt
from ..errors import ParameterError
from ..kernel import Kernel
from ..parsing import read_number

__all__ = ["laplace", "gaussian"]


def _positive(name: str, c: Any):
    v = read_number(name, c, "a positive real number (or a string such as '1/2')")
    if not v.is_positive:
        raise ParameterError(name, c, "a positive real number")
    return v


def laplace(c: Any = 1) -> Kernel:
    r"""Laplace kernel :math:`K(t) = e^{-c\sqrt{1-t}}`, c > 0."""
    c = _positive("c", c)
    t = Input("t")
    return Kernel(exp(-c * sqrt(1 - t)), f"Laplace kernel, c={c}", {"arch": "laplace", "c": str(c)})


def gaussian(c: Any = 1) -> Kernel:
    r"""Gaussian kernel :math:`K(t) = e^{-c(1-t)}`, c > 0."""
    c = _positive("c", c)
    t = Input("t")
    return Kernel(exp(-c * (1 - t)), f"Gaussian kernel, c={c}", {"arch": "gaussian", "c": str(c)})
