"""The evaluation stage: how good a generator is (conditional accuracy, Frechet distances,
diversity, targets), and how well the Encoder keeps a handwriting;
evaluate.py is its command line."""
