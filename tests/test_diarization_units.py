"""Fast checks of the CAM++ wrapper and the DER helper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minutes_app.base.errors import ModelMissingError
from minutes_app.base.types import Diarization, SpeakerTurn
from minutes_app.diarization.campp import EMBEDDING_DIM, load_campp
from minutes_app.diarization.metrics import diarization_error_rate, read_rttm


@pytest.fixture(scope="module")
def campp(model_path):
    return load_campp(model_path("pyannote-campp") / "embedding")


def test_campp_embeddings_and_weights(campp) -> None:
    import torch

    torch.manual_seed(0)
    wav = 0.1 * torch.randn(2, 1, 32000)
    with torch.inference_mode():
        plain = campp(wav)
        assert plain.shape == (2, EMBEDDING_DIM) and campp.dimension == EMBEDDING_DIM
        batch = torch.stack([wav[0], wav[0], wav[1]])
        weights = torch.ones(3, 117)
        weights[1] = 0.0  # silent speaker -> NaN, filtered by pyannote
        weighted = campp(batch, weights=weights)
    assert torch.allclose(weighted[0], plain[0], atol=1e-4)
    assert torch.isnan(weighted[1]).all()
    assert torch.allclose(weighted[2], plain[1], atol=1e-4)


def test_campp_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError):
        load_campp(tmp_path)


def test_rttm_names_with_spaces_and_der(tmp_path: Path) -> None:
    rttm = tmp_path / "ref.rttm"
    rttm.write_text(
        "SPEAKER f 1 0.000 2.000 <NA> <NA> Stadtrat Bauer (GRÜNE) <NA> <NA>\n"
        "SPEAKER f 1 2.000 2.000 <NA> <NA> Vorsitz <NA> <NA>\n",
        encoding="utf-8",
    )
    reference = read_rttm(rttm)["f"]
    assert reference[0].speaker == "Stadtrat Bauer (GRÜNE)"
    perfect = Diarization([SpeakerTurn(0, 2, "A"), SpeakerTurn(2, 4, "B")])
    assert diarization_error_rate(reference, perfect).der == pytest.approx(0.0)
    merged = Diarization([SpeakerTurn(0, 4, "A")])
    assert diarization_error_rate(reference, merged).der == pytest.approx(0.5)
    inside = diarization_error_rate(reference, merged, uem=[(0.0, 2.0)])
    assert inside.der == pytest.approx(0.0) and inside.total == pytest.approx(2.0)
    assert np.isclose(diarization_error_rate(reference, Diarization()).der, 1.0)
