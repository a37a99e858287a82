"""diarization package."""
