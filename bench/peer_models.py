"""The generator's weights for the engines the app does not use: generator.onnx for
onnxruntime-web (onnx_export.py, as 2pack.py --onnx writes it) and a weights file for the
TensorFlow.js page (bench/pages/tfjs.html)."""
import json
import os

import numpy


def write_peer_models(net, folder):
    """folder/generator.onnx and folder/tfjs/generator.{json,bin} for generator `net`."""
    from digitgan.export import onnx_export
    os.makedirs(folder, exist_ok=True)
    onnx_export.save_generator(net, os.path.join(folder, 'generator.onnx'))
    write_tfjs_weights(net, os.path.join(folder, 'tfjs'))


def write_tfjs_weights(net, folder):
    """float32 tensors in one .bin with a JSON index. The Linear layer's outputs (and bn0)
    are permuted from (c, y, x) to (y, x, c) so that they reshape straight to NHWC;
    deconvolution filters become tfjs's [kh, kw, out, in]."""
    os.makedirs(folder, exist_ok=True)
    ch, width = net.ch, net.bottom_width
    perm = numpy.arange(ch * width * width).reshape(ch, width, width).transpose(1, 2, 0).ravel()
    tensors = {
        'l0.W': net.l0.W.array[perm].T, 'l0.b': net.l0.b.array[perm],
        'dc1.W': net.dc1.W.array.transpose(2, 3, 1, 0), 'dc1.b': net.dc1.b.array,
        'dc2.W': net.dc2.W.array.transpose(2, 3, 1, 0), 'dc2.b': net.dc2.b.array,
    }
    for name, bn, order in (('bn0', net.bn0, perm), ('bn1', net.bn1, slice(None))):
        tensors.update({name + '.gamma': bn.gamma.array[order],
                        name + '.beta': bn.beta.array[order],
                        name + '.mean': bn.avg_mean[order], name + '.var': bn.avg_var[order]})
    entries, blobs, offset = [], [], 0
    for name, value in tensors.items():
        blob = numpy.ascontiguousarray(value, numpy.float32).tobytes()
        entries.append({'name': name, 'shape': list(value.shape), 'offset': offset,
                        'size': int(value.size)})
        blobs.append(blob)
        offset += len(blob)
    with open(os.path.join(folder, 'generator.bin'), 'wb') as f:
        f.write(b''.join(blobs))
    with open(os.path.join(folder, 'generator.json'), 'w') as f:
        json.dump({'weights': 'generator.bin', 'tensors': entries, 'ch': ch,
                   'bottom_width': width, 'eps': {'bn0': net.bn0.eps, 'bn1': net.bn1.eps}}, f)
