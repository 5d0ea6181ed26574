r"""Spectra of dot-product kernels on the sphere (SPEC §1, §7).

* :func:`eigenvalues` — :math:`\mu_0..\mu_{k_{max}}` on :math:`S^{d-1}` by three independent routes
  (Gauss–Legendre in the angle, the power series with an asymptotic tail, ``mpmath.quad``
  reference);
* :func:`multiplicity` — :math:`N(d, k)`;
* :mod:`.gegenbauer` — normalised Gegenbauer polynomials and the monomial eigenvalues
:math:`\mu_k(t^n)`;
* :mod:`.closed_forms` — exact Gamma-function eigenvalues of the arc-cosine and two-layer kernels.
"""

from .gegenbauer import multiplicities, multiplicity
from .sphere import METHODS, EigenResult, eigenvalues

__all__ = ["eigenvalues", "EigenResult", "multiplicity", "multiplicities", "METHODS"]
