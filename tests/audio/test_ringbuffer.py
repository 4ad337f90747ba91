"""Ring buffer properties: order, wrap-around, partial writes/reads, SPSC across threads."""

from __future__ import annotations

import threading
from collections import deque

import numpy as np
import pytest

from studio.audio import RingBuffer


def test_fifo_against_a_model_with_random_sizes():
    rng = np.random.default_rng(42)
    ring = RingBuffer(1000)
    model: deque[float] = deque()
    counter = 0
    for _ in range(3000):
        if rng.random() < 0.5:
            n = int(rng.integers(0, 700))
            data = np.arange(counter, counter + n, dtype=np.float32)
            written = ring.write(data)
            assert written == min(n, 1000 - len(model))
            model.extend(data[:written].tolist())
            counter += written
        else:
            out = np.full(int(rng.integers(0, 700)), -1.0, dtype=np.float32)
            got = ring.read_into(out)
            assert got == min(out.size, len(model))
            expect = [model.popleft() for _ in range(got)]
            assert out[:got].tolist() == expect
            assert np.all(out[got:] == -1.0)  # untouched past what was read
        assert ring.available == len(model) and ring.free == 1000 - len(model)


def test_strided_views_and_helpers():
    ring = RingBuffer(8)
    assert ring.write(np.arange(6, dtype=np.float32)) == 6
    out = np.zeros((4, 2), dtype=np.float32)
    assert ring.read_into(out[:, 1]) == 4
    assert out[:, 1].tolist() == [0, 1, 2, 3] and not out[:, 0].any()
    assert ring.write(np.arange(10, 20, dtype=np.float32)) == 6  # wraps, then full
    assert ring.skip(1) == 1
    assert ring.read().tolist() == [5, 10, 11, 12, 13, 14, 15]
    assert ring.total_written == 12 and ring.total_read == 12
    ring.reset()
    assert ring.available == 0 and ring.free == 8
    with pytest.raises(ValueError):
        RingBuffer(0)


def test_single_producer_single_consumer_threads():
    total = 200_000
    ring = RingBuffer(4096)
    source = np.arange(total, dtype=np.float32)
    received = np.zeros(total, dtype=np.float32)

    def produce() -> None:
        pos = 0
        while pos < total:
            pos += ring.write(source[pos:pos + 1000])

    def consume() -> None:
        pos = 0
        while pos < total:
            pos += ring.read_into(received[pos:pos + 777])

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
        assert not t.is_alive()
    assert np.array_equal(received, source)
