"""The generation stage: digits from a trained generator (z, batched eval-mode generation,
grids, PNGs), and a drawn digit's handwriting carried to other digits through the Encoder."""
