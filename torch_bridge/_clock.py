"""``TokenScheduleLR``: a :class:`~torch_bridge.ScheduleLR` stepped by tokens (or samples), not by updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from torch.optim import Optimizer

from jaxsched._combinators import shift
from jaxsched._core import Schedule
from jaxsched._validate import ScheduleArgumentError, ScheduleArgumentTypeError
from jaxsched.clock import _host_count, _tokens_per_step, split_position
from torch_bridge._scheduler import ScheduleLR

__all__ = ["TokenScheduleLR"]

_BLOCK = 1024
_MAX_STEP = 2**31 - 1
_BELOW_ONE = float(np.nextafter(1.0, 0.0))


class TokenScheduleLR(ScheduleLR):
    r"""Drive a param-group field from schedules on a clock of consumed tokens (or samples).

    The torch twin of :func:`jaxsched.on_tokens`: ``step(tokens=n)`` after each ``optimizer.step()``
    adds the ``n`` tokens that update consumed and writes

    .. math:: s_i(\tau / u) \quad (\text{or } v_i\, s_i(\tau / u) \text{ with } ``multiplier=True``)

    where :math:`\tau` is the clock (``self.tokens``, a Python int: exact at any size) and :math:`u` is
    ``tokens_per_step``. So update :math:`k` runs with the schedule at the tokens consumed before it,
    the same value ``on_tokens`` gives the same update. The position is split as in
    :mod:`jaxsched.clock`: an exact integer :math:`n = \lfloor \tau/u \rfloor` (saturating at
    :math:`2^{31}-1`) plus the fraction :math:`r/u`, evaluated in NumPy float64 (no JAX computation) at
    :math:`n + r/u` rounded once to float64; where that rounding would reach :math:`n + 1`, at the exact
    split ``shift(s, -n)(r / u)``, so the integer part is never rounded.

    ``last_epoch`` counts the calls of ``step`` (updates), as for every torch scheduler. Resume:
    ``state_dict()`` holds the clock (a plain int) with the other counters; construct the scheduler, then
    ``load_state_dict(sd)`` and ``optimizer.load_state_dict(osd)``, or construct with ``tokens=`` the clock
    of the checkpoint. A state saved with another ``tokens_per_step`` or clock name is refused.

    Cost: while consecutive updates consume the same count (a constant batch size), the values of the
    next 1024 updates are evaluated in one NumPy call per schedule and a step is a lookup; after a change
    of the count, a step costs one NumPy evaluation per distinct schedule.

    Args:
      optimizer: a ``torch.optim.Optimizer``.
      schedule: one :class:`jaxsched.Schedule` for every param group, or a list with one per group; one
        step of a schedule stands for ``tokens_per_step`` tokens.
      tokens_per_step: :math:`u`, in ``[1, 2**30]`` (the value given to ``jaxsched.from_config(...,
        tokens_per_step=u)`` and to ``jaxsched.on_tokens``).
      field: the param-group key to drive (``"lr"``, ``"weight_decay"``, ``"betas[0]"``, ...).
      multiplier: multiply each group's initial value instead of setting the value.
      tokens: the clock at construction (0 to start).
      clock: the name of the count: the keyword of :meth:`step` (``"tokens"`` or, say, ``"samples"``).

    Example:
      >>> import torch, jaxsched
      >>> from torch_bridge import TokenScheduleLR
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
      >>> sched = TokenScheduleLR(opt, jaxsched.linear(1.0, 0.0, transition_steps=10),
      ...                         tokens_per_step=1000)
      >>> for n in (1500, 3000, 2**31 - 1):
      ...     opt.step(); sched.step(tokens=n); print(round(sched.get_last_lr()[0], 6), sched.tokens)
      0.85 1500
      0.55 4500
      0.0 2147488147
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: Schedule | Sequence[Schedule],
        *,
        tokens_per_step: int,
        field: str = "lr",
        multiplier: bool = False,
        tokens: int = 0,
        clock: str = "tokens",
    ) -> None:
        if not isinstance(clock, str) or not clock.isidentifier():
            raise ScheduleArgumentError("clock", "must be an identifier such as 'tokens' or 'samples'", clock)
        self.tokens_per_step = _tokens_per_step(tokens_per_step)
        self.clock = clock
        self.tokens = _host_count("tokens", tokens, maximum=None)
        self._drop_token_cache()
        super().__init__(optimizer, schedule, field=field, multiplier=multiplier)

    def _drop_token_cache(self) -> None:
        self._token_cache: tuple[int, int, list[tuple[float, ...]]] | None = None
        self._last_count = 0
        self._prev_count = 0

    # -- evaluation at the clock's position ---------------------------------------------------------------
    def _values_at(self, t: Any) -> tuple[float, ...]:
        # ScheduleLR evaluates at its step count ``t``; this scheduler ignores it for the token position.
        del t
        return self.values_at_tokens(self.tokens)

    def values_at_tokens(self, tokens: int) -> tuple[float, ...]:
        """The field's values (one per param group) at clock ``tokens``.

        While updates consume the same count, the values of the next ``_BLOCK`` updates are computed at
        once (one NumPy call per schedule); the values are the same as one at a time.
        """
        cache = self._token_cache
        if cache is not None:
            start, count, rows = cache
            d = tokens - start
            if d >= 0 and d % count == 0 and d // count < len(rows):
                return rows[d // count]
        count = self._last_count
        if count and count == self._prev_count and tokens + count * _BLOCK < 2**62:
            rows = self._rows_at(tokens + count * np.arange(_BLOCK, dtype=np.int64))
            self._token_cache = (tokens, count, rows)
            return rows[0]
        return self._rows_at(np.asarray([tokens], dtype=np.int64) if tokens < 2**62 else [tokens])[0]

    def _rows_at(self, tokens: Any) -> list[tuple[float, ...]]:
        """Values at each clock in ``tokens``: float64 positions ``n + r/u`` whose integer part is ``n``
        (an exact split through ``jaxsched.shift`` where float64 would round up to ``n + 1``)."""
        u = self.tokens_per_step
        split = [split_position(int(t), u) for t in tokens] if not isinstance(tokens, np.ndarray) else None
        if split is None:
            whole, rem = np.divmod(tokens, u)
            sat = whole >= _MAX_STEP
            whole = np.where(sat, _MAX_STEP, whole)
            frac = np.where(sat, 0.0, np.minimum(rem / u, _BELOW_ONE))
        else:
            whole = np.asarray([n for n, _ in split], dtype=np.int64)
            frac = np.asarray([f for _, f in split], dtype=np.float64)
        x = whole + frac
        off = np.nonzero(np.floor(x) != whole)[0]
        by_id: dict[int, np.ndarray] = {}
        cols = []
        for i, s in enumerate(self.schedules):
            vals = by_id.get(id(s))
            if vals is None:
                vals = np.array(np.broadcast_to(s.numpy(x), x.shape), dtype=np.float64)
                for j in off:
                    vals[j] = shift(s, -int(whole[j])).numpy(frac[j])
                by_id[id(s)] = vals
            cols.append((vals * self.base_values[i] if self.multiplier else vals).tolist())
        return list(zip(*cols, strict=True))

    # -- stepping -----------------------------------------------------------------------------------------
    def step(self, epoch: int | None = None, **counts: Any) -> None:
        """Advance the clock by ``tokens=n`` (the keyword is the clock's name) and write the field."""
        if epoch is not None:
            raise TypeError(
                f"TokenScheduleLR.step: stepped by {self.clock}, not by epoch: step({self.clock}=n)"
            )
        if self._step_count == 0:  # LRScheduler.__init__'s initial step: the value at the start clock
            super().step()
            return
        if set(counts) != {self.clock}:
            raise TypeError(
                f"TokenScheduleLR.step: takes exactly the keyword {self.clock}=n (the "
                f"{self.clock} the update consumed), got {sorted(counts) or 'none'}"
            )
        n = _host_count(self.clock, _plain_int(self.clock, counts[self.clock]), maximum=None)
        self.tokens += n
        self._prev_count, self._last_count = self._last_count, n
        super().step()

    # -- state --------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """:class:`ScheduleLR`'s state plus the clock (``tokens``, a plain int) and its unit."""
        sd = super().state_dict()
        for key in ("_token_cache", "_last_count", "_prev_count"):
            sd.pop(key, None)
        sd["tokens"] = int(self.tokens)
        sd["tokens_per_step"] = int(self.tokens_per_step)
        sd["clock"] = self.clock
        return sd

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the clock and the counters; refuse a state of another unit or clock name."""
        sd = dict(state_dict)
        for key in ("tokens", "tokens_per_step", "clock"):
            if key not in sd:
                raise KeyError(
                    f"TokenScheduleLR.load_state_dict: the state has no {key!r} (was it "
                    f"saved by a TokenScheduleLR?)"
                )
        if sd["tokens_per_step"] != self.tokens_per_step:
            raise ScheduleArgumentError(
                "state_dict['tokens_per_step']",
                f"differs from this scheduler's tokens_per_step = {self.tokens_per_step}",
                sd["tokens_per_step"],
            )
        if sd["clock"] != self.clock:
            raise ScheduleArgumentError(
                "state_dict['clock']", f"differs from this scheduler's clock {self.clock!r}", sd["clock"]
            )
        tokens = _host_count("state_dict['tokens']", sd["tokens"], maximum=None)
        super().load_state_dict(sd)
        self.tokens = tokens
        self._drop_token_cache()


def _plain_int(name: str, x: Any) -> Any:
    """A torch scalar as a Python number (other inputs unchanged, checked by the caller)."""
    item = getattr(x, "item", None)
    if item is not None and getattr(x, "ndim", None) == 0 and not isinstance(x, np.generic):
        try:
            return item()
        except Exception:
            return x
    if getattr(x, "ndim", 0) not in (0, None):
        raise ScheduleArgumentTypeError(name, "an integer scalar", x)
    return x
