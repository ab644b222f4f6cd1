"""Arrays without reference counting inside the compiled day.

Every array a compiled function receives, or passes to a function it calls, has its
reference count raised and lowered (an atomic operation); inside the day's loop over worlds
and actors that costs more than the model's arithmetic. The day therefore works on borrowed
views of its inputs: the same data, shape and strides, without an owner to count. The caller
keeps the owners (the function's arguments) alive for the whole call, and no borrowed view
leaves it.
"""

from __future__ import annotations

import numba
from numba.core import cgutils, types
from numba.extending import intrinsic


@intrinsic
def borrowed(typingctx, value):
    """``value`` itself; an array comes back without an owner to count."""
    if not isinstance(value, types.Array):
        return value(value), lambda context, builder, signature, args: args[0]

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        array.meminfo = cgutils.get_null_value(array.meminfo.type)
        array.parent = cgutils.get_null_value(array.parent.type)
        return array._getvalue()

    return value(value), codegen


def borrowing(cls):
    """A compiled function taking a ``cls`` named tuple to the same tuple of borrowed views."""
    fields = ", ".join(f"_borrowed(t.{name})" for name in cls._fields)
    namespace = {"_borrowed": borrowed, cls.__name__: cls}
    exec(f"def borrow(t):\n    return {cls.__name__}({fields})", namespace)  # one line per tuple class
    return numba.njit(nogil=True, inline="always")(namespace["borrow"])  # inlined: cached with its caller
