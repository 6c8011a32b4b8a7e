"""The export stage: Chainer networks -> WebDNN descriptors (and ONNX) in app/models, with the
contract.json the pages read; 2pack.py is its command line."""
