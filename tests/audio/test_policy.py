"""The adaptive start policy: never stalls at a steady rate, starts at once when fast."""

from __future__ import annotations

import pytest

from studio.audio.policy import AdaptiveStart, BufferStatus


def simulate(rate: float, total: float, expected: float, step: float = 0.02):
    """Generate at `rate` (audio s per wall s) and play at 1x, waiting whenever the policy
    says so, at the start and after every stall, as the player does.
    Returns (first start time, stalls, policy)."""
    clock = {"t": 0.0}
    policy = AdaptiveStart(expected, clock=lambda: clock["t"])
    received = position = 0.0
    started_at = None
    playing = False
    stalls = 0
    while position < total - 1e-9:
        clock["t"] += step
        received = min(total, received + rate * step)
        ended = received >= total
        if not playing:
            status = BufferStatus(received - position, received, position, ended, stalls)
            if policy(status):
                playing = True
                started_at = clock["t"] if started_at is None else started_at
            continue
        position += step
        if position > received + 1e-9 and not ended:  # caught up with the audio: a stall
            stalls += 1
            position = received
            playing = False
    return started_at, stalls, policy


@pytest.mark.parametrize("rate", [0.08, 0.3, 0.7, 0.95])
def test_slower_than_real_time_never_stalls(rate):
    start, underruns, _ = simulate(rate, total=10.0, expected=12.0)
    assert underruns == 0
    assert start <= 10.0 / rate + 0.05  # at the latest when the take is complete
    if rate >= 0.3:
        assert start < 10.0 / rate - 1.0  # and well before, when the estimate allows


def test_faster_than_real_time_starts_almost_at_once():
    start, underruns, _ = simulate(3.0, total=10.0, expected=12.0)
    assert underruns == 0 and start < 0.3


def test_an_underestimated_length_grows_with_the_take():
    # the text suggested 3 s but the take is 10 s long; at a rate of 0.5 the policy waits
    # at least as long as its estimate says, never starting before it has a rate
    start, underruns, policy = simulate(0.5, total=10.0, expected=3.0)
    assert start is not None and policy.rate == pytest.approx(0.5, rel=0.05)
    assert underruns <= 1  # the take outlasting its guess is noticed at the first stall


@pytest.mark.parametrize("rate", [0.12, 0.3, 0.6])
def test_a_slightly_short_guess_stalls_once_at_most(rate):
    _, underruns, _ = simulate(rate, total=10.0, expected=8.0)
    assert underruns <= 1


def test_eta_counts_down():
    clock = {"t": 0.0}
    policy = AdaptiveStart(10.0, clock=lambda: clock["t"])
    assert policy(BufferStatus(0.0, 0.0, 0.0, False, 0)) is False and policy.eta_s is None
    clock["t"] = 1.0
    assert policy(BufferStatus(0.5, 0.5, 0.0, False, 0)) is False
    first = policy.eta_s
    clock["t"] = 2.0
    policy(BufferStatus(1.0, 1.0, 0.0, False, 0))
    assert first is not None and policy.eta_s is not None and policy.eta_s < first
    assert policy(BufferStatus(1.0, 1.0, 0.0, True, 0)) is True and policy.eta_s == 0.0
