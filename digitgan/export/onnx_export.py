"""The conditional generator (networks.Generator) as an ONNX model, for ONNX runtimes.

    from digitgan.export import onnx_export
    model = onnx_export.generator_to_onnx(gen)        # an onnx.ModelProto
    onnx_export.save_generator(gen, 'generator.onnx')  # -> {'bytes', 'input', 'output', ...}

The graph is written node by node with the `onnx` package's helper API from the Chainer
parameters, in eval mode (BatchNormalization uses the running statistics, as 2pack.py's
WebDNN graphs do):

    x [N, n_hidden + n_classes]
      -> Gemm(l0) -> BatchNormalization(bn0) -> Relu -> Reshape [N, ch, w, w]
      -> ConvTranspose(dc1) -> BatchNormalization(bn1) -> Relu
      -> ConvTranspose(dc2) -> Sigmoid -> y [N, 1, 28, 28]

The batch dimension is symbolic ("batch"), so one file serves one digit or a 10x10 grid.
Chainer's layouts already match ONNX's: Linear W is [out, in] (Gemm with transB=1),
Deconvolution2D W is [in, out, kh, kw] (ConvTranspose's [C, M/group, kH, kW]).
"""
import numpy

OPSET = 17        # onnxruntime >= 1.13 (web and Python) runs every operator used here
IR_VERSION = 8    # the IR that opset 17 came with; newer runtimes read older IRs
INPUT_NAME = 'x'
OUTPUT_NAME = 'y'


def _pair(value):
    return list(value) if isinstance(value, (tuple, list)) else [value, value]


def _array(value):
    return numpy.ascontiguousarray(numpy.asarray(value, numpy.float32))


class _GraphBuilder:
    def __init__(self):
        self.nodes = []
        self.initializers = []

    def constant(self, name, value, dtype=numpy.float32):
        from onnx import numpy_helper
        self.initializers.append(numpy_helper.from_array(
            numpy.ascontiguousarray(numpy.asarray(value, dtype)), name))
        return name

    def node(self, op, inputs, output, **attributes):
        from onnx import helper
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def batch_norm(self, x, link, name):
        """Chainer's eval-mode BatchNormalization: gamma (x - mean) / sqrt(var + eps) + beta."""
        size = link.avg_mean.shape[0]
        gamma = link.gamma.array if getattr(link, 'gamma', None) is not None else numpy.ones(size)
        beta = link.beta.array if getattr(link, 'beta', None) is not None else numpy.zeros(size)
        inputs = [x, self.constant(name + '.gamma', gamma), self.constant(name + '.beta', beta),
                  self.constant(name + '.mean', link.avg_mean),
                  self.constant(name + '.var', link.avg_var)]
        return self.node('BatchNormalization', inputs, name, epsilon=float(link.eps))

    def deconvolution(self, x, link, name):
        weight = _array(link.W.array)
        inputs = [x, self.constant(name + '.W', weight)]
        if link.b is not None:
            inputs.append(self.constant(name + '.b', link.b.array))
        pad_h, pad_w = _pair(link.pad)
        return self.node('ConvTranspose', inputs, name, kernel_shape=list(weight.shape[2:]),
                         strides=_pair(link.stride), pads=[pad_h, pad_w, pad_h, pad_w],
                         dilations=_pair(getattr(link, 'dilate', 1)),
                         group=int(getattr(link, 'groups', 1)))


def generator_to_onnx(gen, name='dcgan_generator'):
    """An onnx.ModelProto computing `gen` in eval mode; checked with onnx.checker."""
    import onnx
    from onnx import TensorProto, helper

    b = _GraphBuilder()
    h = b.node('Gemm', [INPUT_NAME, b.constant('l0.W', gen.l0.W.array),
                        b.constant('l0.b', gen.l0.b.array)], 'l0', transB=1)
    h = b.node('Relu', [b.batch_norm(h, gen.bn0, 'bn0')], 'relu0')
    shape = b.constant('shape0', [-1, gen.ch, gen.bottom_width, gen.bottom_width], numpy.int64)
    h = b.node('Reshape', [h, shape], 'reshape0')
    h = b.node('Relu', [b.batch_norm(b.deconvolution(h, gen.dc1, 'dc1'), gen.bn1, 'bn1')],
               'relu1')
    b.node('Sigmoid', [b.deconvolution(h, gen.dc2, 'dc2')], OUTPUT_NAME)

    n_in = gen.n_hidden + gen.n_classes
    height = gen.bottom_width * 4            # two stride-2 deconvolutions
    graph = helper.make_graph(
        b.nodes, name,
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ['batch', n_in])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT,
                                       ['batch', 1, height, height])],
        initializer=b.initializers)
    model = helper.make_model(graph, producer_name='dcgan onnx_export.py',
                              opset_imports=[helper.make_opsetid('', OPSET)])
    model.ir_version = IR_VERSION
    model.doc_string = ('concat(z ~ N(0, 1)^%d, one_hot(label, %d)) -> 1x%dx%d image in [0, 1], '
                        'ink = 1' % (gen.n_hidden, gen.n_classes, height, height))
    onnx.checker.check_model(model, full_check=True)
    return model


def save_generator(gen, path):
    """Write `gen` as ONNX to `path`; returns what contract.json says about the file."""
    model = generator_to_onnx(gen)
    data = model.SerializeToString()
    with open(path, 'wb') as f:
        f.write(data)
    n_in = gen.n_hidden + gen.n_classes
    height = gen.bottom_width * 4
    return {'bytes': len(data), 'opset': OPSET, 'input_name': INPUT_NAME,
            'output_name': OUTPUT_NAME, 'input_shape': ['batch', n_in],
            'output_shape': ['batch', 1, height, height]}


def run_reference(model, x):
    """Run `model` on `x` with the onnx package's own reference evaluator (no runtime)."""
    from onnx.reference import ReferenceEvaluator
    return ReferenceEvaluator(model).run(None, {INPUT_NAME: _array(x)})[0]
