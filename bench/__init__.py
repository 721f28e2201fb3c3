"""The voipdown benchmark: ``python3 bench/run.py`` measures the service beside a bare Flask ceiling.

The modules follow the run: ``servers`` and ``wrk`` start and load processes, one module per
family of measures (``startup``, ``renders``, ``memory``, ``throughput``, ``wire``, ``flood``)
measures and judges its figures against ``targets``, and ``report`` writes them as Markdown.
"""
