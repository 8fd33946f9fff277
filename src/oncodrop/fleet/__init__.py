"""The fleet: start workers when samples wait, let them stop when idle, survive spot interruptions.

- ``policy``: pure scaling decisions (backlog, workers, limits, idle time, cooldown).
- ``provider``: what a provider of workers offers (local processes, EC2 spot instances).
- ``scaler``: reads the ledger and a provider, applies the policy's decision.
- ``local`` / ``ec2``: the providers. ``interruption``: the spot-notice watcher run inside a
  worker. How long a worker waits for work before it exits is ``execute.idle``.

Nothing is imported here on purpose: ``ec2`` needs boto3, an optional extra.
"""
