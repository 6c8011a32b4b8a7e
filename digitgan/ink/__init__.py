"""The ink stage: what the recogniser reads, made from what people draw, photograph or scan.

preprocess.py centres an ink image the way MNIST's digits are (the page mirrors it), photo_ink.py
turns photos and scans into ink on a clean background, ink_parts.py picks the parts that make the
digit. The rest makes digits as people draw them on the recogniser page, from MNIST by code:

    strokes = skeleton.trace(mnist_image)           # pen strokes along the digit's skeleton
    drawing = handwriting_model.drawn(strokes, rng)  # a person's drawing of them (0..1 units)
    x = pen.model_input(drawing)                     # rendered as the page renders it: 28x28
    others = shapes.non_digits(rng, 100)             # scribbles, shapes, letters: not digits

drawn_sets.py builds the recogniser's training, tuning and held-out sets from these.
"""
