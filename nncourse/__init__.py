"""nncourse: the small, tested NumPy package that goes with the nncourse textbook.

Every function has its derivative beside it, is numerically stable, and follows
PyTorch's documented definitions unless a chapter says otherwise.
"""

__version__ = "0.1.0"
