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


def simulate_batch(lengths, pauses, batch, row_rate, *, guess=1.3, chunk=0.96, step=0.02,
                   forecast=True):
    """Segments made ``batch`` at a time, each row growing at ``row_rate``, decoded in
    ``chunk`` s pieces and arriving in order (later segments in a lump when the one before
    ends); the maker publishes its progress every step. Returns (start, stalls)."""
    from studio.audio.forecast import Progress, ProgressBox, SegmentProgress

    n = len(lengths)
    rounds = [list(range(i, min(i + batch, n))) for i in range(0, n, batch)]
    clock = {"t": 0.0}
    box = ProgressBox()
    policy = AdaptiveStart(sum(lengths) * guess + sum(pauses), clock=lambda: clock["t"],
                           progress=box if forecast else None)
    made = [0.0] * n
    begun: set[int] = set()
    current, position, stalls, playing, started_at = 0, 0.0, 0, False, None
    total = sum(lengths) + sum(pauses)
    while position < total - 1e-9:
        clock["t"] += step
        if current < len(rounds):
            begun.update(rounds[current])
            for i in rounds[current]:
                made[i] = min(lengths[i], made[i] + row_rate * step)
            if all(made[i] >= lengths[i] for i in rounds[current]):
                current += 1
        done = [made[i] >= lengths[i] for i in range(n)]
        box.publish(Progress(tuple(SegmentProgress(lengths[i] * guess, pauses[i], made[i],
                                                   i in begun, done[i]) for i in range(n)),
                             batch, row_rate, chunk / row_rate))
        received = 0.0
        for i in range(n):  # in order: whole segments, then the head's decoded chunks
            if done[i]:
                received += lengths[i] + pauses[i]
                continue
            received += (made[i] // chunk) * chunk
            break
        received = min(received, total)
        ended = received >= total - 1e-9
        if not playing:
            if policy(BufferStatus(received - position, received, position, ended, stalls)):
                playing = True
                started_at = clock["t"] if started_at is None else started_at
            continue
        position += step
        if position > received + 1e-9 and not ended:
            stalls += 1
            position = received
            playing = False
    return started_at, stalls


@pytest.mark.parametrize("row_rate", [0.15, 0.4, 0.9])
def test_segments_made_in_parallel_play_without_a_stall(row_rate):
    lengths, pauses = [3.0, 4.5, 2.0, 3.5, 1.5, 3.0], [0.28] * 5 + [0.0]
    start, stalls = simulate_batch(lengths, pauses, 3, row_rate)  # lengths guessed long
    assert stalls == 0
    start, stalls = simulate_batch(lengths, pauses, 3, row_rate, guess=1.0)
    assert stalls == 0
    all_made = (4.5 + 3.5) / row_rate  # the two rounds, each as long as its longest row
    assert start < all_made - 1.0  # playback starts before the take is complete


def test_in_parallel_the_forecast_starts_sooner_than_waiting_for_everything():
    lengths, pauses = [3.0, 3.0, 3.0], [0.28, 0.28, 0.0]
    with_forecast, stalls = simulate_batch(lengths, pauses, 3, 0.4)
    assert stalls == 0
    # made one after another at the same row rate, the take would need 22.5 s; in parallel
    # it is complete after 7.5 s, and playback may start before that
    assert with_forecast < 7.5


def test_a_segment_never_plans_past_its_cap():
    from studio.audio.forecast import SegmentProgress

    growing = SegmentProgress(expected_s=2.9, pause_s=0.3, made_s=3.0, started=True)
    assert growing.length_s == pytest.approx(6.5)  # outgrew its guess: twice, and more
    capped = SegmentProgress(2.9, 0.3, 3.0, True, cap_s=3.36)
    assert capped.length_s == pytest.approx(3.36)
    at_cap = SegmentProgress(3.36, 0.3, 3.36, True, cap_s=3.36)
    assert at_cap.length_s == pytest.approx(3.36)


def test_rows_at_their_cap_let_playback_start_before_they_end():
    """Three rows that will end together at their cap: playback may start one first
    sentence before then (less the decode lag and the margin), not only at their end."""
    from studio.audio.forecast import Progress, SegmentProgress, start_shortfall

    segs = tuple(SegmentProgress(3.36, 0.3, 3.0, True, cap_s=3.36) for _ in range(3))
    progress = Progress(segs, batch=3, row_rate=0.3, decode_lag_s=0.5)
    # 0.36 s of audio left at 0.3 s/s: 1.2 s; seg 1 ends 3.36 s into the take
    assert start_shortfall(progress, 0.0, 0.5) == pytest.approx(0.0)
    uncapped = Progress(tuple(SegmentProgress(2.9, 0.3, 3.0, True) for _ in range(3)),
                        batch=3, row_rate=0.3, decode_lag_s=0.5)
    assert start_shortfall(uncapped, 0.0, 0.5) > 5.0
