"""The models folder 2pack.py writes, and its contract.json: what the pages need to drive
each converted graph without reading Python.

2pack.py plans a list of `GraphPlan`s (one network at one batch size, into one folder),
converts each, and hands `build()` one `ConvertedGraph` per graph; `build()` reads the
written descriptors (input/output names, weight files) and returns the contract as a dict.
`graphs_in()` says what an existing models folder holds.
"""
import dataclasses
import json
import os
import re

from digitgan import checkpoints, networks
from digitgan.export import webdnn_export as export
from digitgan.recognition import verdict

# 2: entries say output_is_logits (the app no longer guesses it from the `output` prose).
# 3: an `encoder` entry (optional: the recogniser page then shows no handwriting row).
# 4: a `datasets` section: each data set's title, label names and the keys of its graphs.
FORMAT = 4
GENERATOR_BATCHES = (1, 10, 100)  # the sizes the generator page runs: a digit, a row, a grid
DIGITS = 'mnist'        # its graphs keep their keys and folders at the top of the folder
OTHER_DATASETS = 'datasets'       # the folder of every other data set's graphs


def folder_name(dataset):
    """A data set's folder under datasets/: its name with only letters, digits, - and _."""
    return re.sub(r'[^A-Za-z0-9_-]+', '-', dataset).strip('-') or 'images'


@dataclasses.dataclass(frozen=True)
class GraphPlan:
    """One graph to convert: `kind` (generator, recogniser, encoder) at batch size `batch`,
    for `dataset` (digits: mnist; a recogniser of another data set is its classifier)."""
    kind: str
    batch: int = 1
    dataset: str = DIGITS
    role: str = None      # in the data set's entry: generator, row, grid, classifier

    @property
    def name(self):
        return 'classifier' if self.kind == 'recogniser' and self.dataset != DIGITS \
            else self.kind

    @property
    def prefix(self):
        return '' if self.dataset == DIGITS else '%s/%s/' % (OTHER_DATASETS,
                                                             folder_name(self.dataset))

    @property
    def key(self):
        """Its entry in contract.json: generator, generator_b10, ..., recogniser, encoder;
        datasets/<name>/generator, ... for another data set."""
        return self.prefix + (self.name if self.batch == 1 else '%s_b%d' % (self.name,
                                                                          self.batch))

    @property
    def folder(self):
        """Its folder beside contract.json: generator, generator-b10, ..., recogniser."""
        return self.prefix + (self.name if self.batch == 1 else '%s-b%d' % (self.name,
                                                                          self.batch))


def all_graphs():
    """Every graph of the digits the pages use, in the order 2pack.py converts them."""
    return [GraphPlan('generator', batch, role=role) for batch, role in
            zip(GENERATOR_BATCHES, ('generator', 'row', 'grid'))] + \
        [GraphPlan('recogniser', role='classifier'), GraphPlan('encoder')]


def dataset_graphs(dataset, n_classes, classifier):
    """Another data set's graphs: its generator for one image, a row of every label and a
    grid of ten rows, and its classifier when there is one."""
    plans = [GraphPlan('generator', batch, dataset, role) for batch, role in
             ((1, 'generator'), (n_classes, 'row'), (10 * n_classes, 'grid'))]
    return plans + ([GraphPlan('recogniser', 1, dataset, 'classifier')] if classifier else [])


# Everything 2pack.py writes into a models folder; anything else means a wrong --out.
OUTPUT_ENTRIES = {plan.folder for plan in all_graphs()} | {'generator.onnx', 'contract.json',
                                                            OTHER_DATASETS}


def graphs_in(folder):
    """What a models folder holds now: {graph folder or 'generator.onnx': [backends]}."""
    held = {}
    others = os.path.join(folder, OTHER_DATASETS)
    for name in sorted(os.listdir(others)) if os.path.isdir(others) else []:
        for graph in sorted(os.listdir(os.path.join(others, name))):
            held_path = '%s/%s/%s' % (OTHER_DATASETS, name, graph)
            backends = export.written_backends(os.path.join(folder, held_path))
            if backends:
                held[held_path] = backends
    for plan in all_graphs():
        backends = export.written_backends(os.path.join(folder, plan.folder))
        if backends:
            held[plan.folder] = backends
    if os.path.isfile(os.path.join(folder, 'generator.onnx')):
        held['generator.onnx'] = []
    return held


@dataclasses.dataclass(frozen=True)
class ConvertedGraph:
    """A graph whose descriptors are written: its plan, the Chainer network it was traced
    from (sizes and hyperparameters) and the .npz the weights came from."""
    plan: GraphPlan
    network: object
    source: str
    pairs_with: str = None     # encoder: the SHA-256 of the generator it was trained against


def build(folder, graphs, backends, eightbit, wasm_simd, root, onnx=None):
    """contract.json's content for `graphs` (ConvertedGraphs written under `folder` for each
    of `backends`); source paths are given relative to `root`; `onnx`: the generator.onnx
    entry, when one was written."""
    contract = {'format': FORMAT, 'written_by': '2pack.py',
                'webdnn_version': export.webdnn_version(), 'backend_order': list(backends)}
    if 'webassembly' in backends:
        contract['webassembly_simd'] = wasm_simd
    datasets = {}
    for graph in graphs:
        contract[graph.plan.key] = entry(graph, folder, backends, eightbit, root)
        if graph.plan.role:
            datasets.setdefault(graph.plan.dataset, {
                'title': graph.network.dataset['title'],
                'labels': list(graph.network.labels)})[graph.plan.role] = graph.plan.key
    contract['datasets'] = datasets
    if onnx:
        contract['generator_onnx'] = onnx
    return contract


def write(folder, contract):
    with open(os.path.join(folder, 'contract.json'), 'w') as f:
        json.dump(contract, f, indent=2)
        f.write('\n')


def entry(graph, folder, backends, eightbit, root):
    """One graph's entry: shapes, ranges, descriptor names, backends, source weights."""
    plan, net, shared = graph.plan, graph.network, networks.MODEL_CONTRACT
    graph_folder = os.path.join(folder, plan.folder)
    input_names, output_names = descriptor_names(graph_folder, backends)
    result = {'folder': plan.folder, 'batch': plan.batch, 'dtype': 'float32'}
    input_shape = list(export.input_shape(plan.kind, net, plan.batch))
    if plan.kind == 'generator':
        result.update(input=shared['generator_input'], input_shape=input_shape,
                      output='image, ' + shared['image_ink'],
                      output_shape=[plan.batch] + shared['image_shape'],
                      output_range=shared['image_range'],
                      n_hidden=net.n_hidden, z_prior=shared['z_prior'])
    elif plan.kind == 'encoder':
        result.update(input=shared['encoder_input'], input_shape=input_shape,
                      input_range=shared['image_range'], output=shared['encoder_output'],
                      output_shape=[plan.batch, net.n_hidden], n_hidden=net.n_hidden,
                      generator_sha256=graph.pairs_with)
    else:
        result.update(input='image, ' + shared['image_ink'], input_shape=input_shape,
                      input_range=shared['image_range'],
                      output=shared['recogniser_output'],
                      output_shape=[plan.batch, net.n_classes], output_range=[0.0, 1.0],
                      # the "?" rule (verdict.py): temperature and threshold, tuned by
                      # train_recognizer.py; an output past the labels means "not a digit"
                      verdict=verdict.load_rule(graph.source))
        if net.n_classes > len(net.labels):
            result.update(other_output=len(net.labels))
    result.update(
        output_is_logits=export.outputs_logits(plan.kind),
        input_name=input_names, output_name=output_names,
        n_classes=net.n_classes, labels=list(net.labels), ink=shared['image_ink'],
        backends=list(backends), weight_encoding='eightbit' if eightbit else 'raw',
        source=source_entry(graph, root))
    if plan.kind == 'generator' and plan.batch != 1:
        result['weights_folder'] = shared_weights(folder, plan.folder, plan.prefix + 'generator',
                                                  backends)
    return result


def descriptor_names(graph_folder, backends):
    """Per backend, (input name, output name) in the written graph descriptor. WebDNN names
    them differently per backend; runner.inputs[0] / outputs[0] address them by position."""
    inputs, outputs = {}, {}
    for backend in backends:
        with open(os.path.join(graph_folder, export.GRAPH_FILES[backend])) as f:
            descriptor = json.load(f)
        inputs[backend], outputs[backend] = descriptor['inputs'][0], descriptor['outputs'][0]
    return inputs, outputs


def source_entry(graph, root):
    source, root = os.path.abspath(graph.source), os.path.abspath(root)
    inside = os.path.commonpath([source, root]) == root
    return {'npz': os.path.relpath(source, root) if inside else os.path.basename(source),
            'sha256': export.sha256_of(source),
            'iteration': checkpoints.generator_iteration(source),
            'args': graph.network.model_args()}


def shared_weights(folder, batched_folder, single_folder, backends):
    """{backend: single_folder} where a batched generator's weight files are byte for byte
    the single one's: the app then loads them from there, so the browser fetches them once."""
    def same(name):
        a, b = (os.path.join(folder, sub, name) for sub in (batched_folder, single_folder))
        return os.path.isfile(a) and os.path.isfile(b) and \
            export.sha256_of(a) == export.sha256_of(b)
    return {backend: single_folder for backend in backends
            if all(same(name) for name in export.WEIGHT_FILES[backend])}
