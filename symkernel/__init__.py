"""symkernel: closed-form, arbitrary-precision kernels of infinitely wide ReLU networks and their spectra.

Public names::

    import symkernel as sk
    K = sk.fc(depth=3, kind="ntk")
    K.expr                         # SymPy expression
    K(0.3, dps=50)                 # value to 50 digits
    K.coefficients(200, dps=50)    # b_0..b_199
    K.exact_coefficients(8)        # exact SymPy b_0..b_7
    sk.eigenvalues(K, dim=3, kmax=100, dps=30)
    sk.asymptotics(K, dim=3)
"""

from .architectures import arccos_kernel, conv, fc, gaussian, laplace, resnet
from .asymptotics import asymptotics
from .errors import ParameterError, PrecisionError, SymkernelError
from .kernel import Kernel
from .latex import to_latex
from .spectrum import eigenvalues, multiplicity

__version__ = "0.1.0"

__all__ = [
    "Kernel",
    "fc",
    "resnet",
    "conv",
    "arccos_kernel",
    "laplace",
    "gaussian",
    "eigenvalues",
    "multiplicity",
    "asymptotics",
    "to_latex",
    "ParameterError",
    "PrecisionError",
    "SymkernelError",
]
