"""Runs the stages on a session: PipelineOptions, the settings->options mapping, the live job."""
