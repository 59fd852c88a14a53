"""Small tensor shapes: big enough to exercise broadcasting and dims, small enough to be fast."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

MAX_RANK = 3
MAX_SIDE = 3


def shapes(min_rank: int = 0, max_rank: int = MAX_RANK, min_side: int = 1,
           max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(st.integers(min_side, max_side), min_size=min_rank, max_size=max_rank).map(tuple)


def broadcastable(n: int, min_rank: int = 0) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """``n`` mutually broadcastable shapes."""
    return mutually_broadcastable_shapes(num_shapes=n, min_dims=min_rank, max_dims=MAX_RANK,
                                         min_side=1, max_side=MAX_SIDE).map(lambda b: b.input_shapes)


@st.composite
def into(draw: st.DrawFn, target: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts *to* ``target`` (for in-place ops and expand)."""
    keep = draw(st.integers(0, len(target)))
    tail = target[len(target) - keep:]
    return tuple(d if draw(st.booleans()) else 1 for d in tail)


@st.composite
def factor(draw: st.DrawFn, n: int, max_rank: int = MAX_RANK) -> tuple[int, ...]:
    """A shape with ``n`` elements (for view/reshape/unflatten)."""
    out: list[int] = []
    rest = n
    for _ in range(draw(st.integers(0, max_rank - 1))):
        divs = [d for d in range(1, rest + 1) if rest % d == 0]
        d = draw(st.sampled_from(divs))
        out.append(d)
        rest //= d
    out.append(rest)
    return tuple(out)
