"""The training stage: the GAN step, the generator's moving average, Trainer plumbing (snapshots,
safe resume, logs, Ctrl-C), preview grids, and training on several processes."""
