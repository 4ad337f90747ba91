"""The stateful streaming decoder equals the one-shot decode for any chunking."""

from __future__ import annotations

import pytest
import torch

from studio.engine.codec_stream import StreamingCodecDecoder


@pytest.fixture(scope="module")
def decoder(tiny_pool):
    return tiny_pool.get("custom_voice").qwen.model.speech_tokenizer.model.decoder


@pytest.mark.parametrize("rewritten", [True, False])
@pytest.mark.parametrize("schedule", [[90], [1] * 90, [4, 8, 16, 25, 25, 12], [3, 7, 1, 79]])
def test_any_chunking_reproduces_the_whole_decode(decoder, schedule, rewritten):
    torch.manual_seed(0)
    codes = torch.randint(0, 2048, (1, 16, 90))
    with torch.inference_mode():
        whole = decoder(codes)
    stream = StreamingCodecDecoder(decoder, rewritten=rewritten)
    pieces, start = [], 0
    for n in schedule:
        pieces.append(stream.decode(codes[..., start:start + n]))
        start += n
    joined = torch.cat(pieces, dim=-1)
    assert joined.shape == whole.shape == (1, 1, 90 * 1920)
    assert float((joined - whole).abs().max()) < 1e-5
    assert stream.frames == 90


def test_a_fork_continues_independently(decoder):
    torch.manual_seed(1)
    codes = torch.randint(0, 2048, (1, 16, 30))
    base = StreamingCodecDecoder(decoder)
    base.decode(codes[..., :10])
    a, b = base.fork(), base.fork()
    out_a = a.decode(codes[..., 10:])
    b.decode(codes[..., 20:])  # b goes elsewhere; a is unaffected
    again = base.fork().decode(codes[..., 10:])
    assert torch.equal(out_a, again)


def test_a_detached_state_forks_with_the_codec_it_is_given(decoder):
    """Cached warm-ups are detached (no codec reference) and resumed with the codec."""
    torch.manual_seed(2)
    codes = torch.randint(0, 2048, (1, 16, 20))
    attached = StreamingCodecDecoder(decoder)
    attached.decode(codes[..., :8])
    expected = attached.fork().decode(codes[..., 8:])
    detached = attached.detach()
    assert detached.d is None
    with pytest.raises(ValueError):
        detached.fork()
    assert torch.equal(detached.fork(decoder).decode(codes[..., 8:]), expected)
