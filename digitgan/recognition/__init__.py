"""The recognition stage: an image file -> the MNIST-style digit the recogniser reads, and the
verdict (a digit, or "?" with a reason) shared by recognize.py and the page."""
