"""The three networks: conditional Generator, conditional Discriminator, Recogniser.

Defined in digitgan/networks.py (the package the scripts share); imported here so that
`from networks import Generator` works as in the original project and in Chainer's examples.
"""
from digitgan.networks import (IMAGE_SHAPE, MODEL_CONTRACT, N_CLASSES, NETWORKS,  # noqa: F401
                               Discriminator, Generator, Recogniser)
