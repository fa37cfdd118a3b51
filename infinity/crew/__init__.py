"""The digital crew: people grown from DNA who remember, need, plan, talk, obey (mostly) and die.

Pure domain: nothing here does I/O except `llm.py`. Agents act only through
`infinity.commands.types`, the same commands players send.
"""
