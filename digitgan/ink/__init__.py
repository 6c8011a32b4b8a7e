"""Ink: digits as people draw them on the recogniser page, made from MNIST by code.

    strokes = skeleton.trace(mnist_image)           # pen strokes along the digit's skeleton
    drawing = handwriting_model.drawn(strokes, rng)  # a person's drawing of them (0..1 units)
    x = pen.model_input(drawing)                     # rendered as the page renders it: 28x28
    others = shapes.non_digits(rng, 100)             # scribbles, shapes, letters: not digits

drawn_sets.py builds the recogniser's training, tuning and held-out sets from these.
"""
