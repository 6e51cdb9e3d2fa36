"""The one exception poolkit raises for bad input."""


class PoolingError(ValueError):
    """An invalid argument to a poolkit operator.

    The message names the argument, the value received and what is allowed.
    It subclasses ``ValueError`` so code that already catches that keeps working.
    """
