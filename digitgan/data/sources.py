"""Where a script's images come from: --dataset NAME, --data-dir DIR, --image-folder DIR.

    sources.add_arguments(parser)
    source = sources.from_args(args)        # after parse_args; a UserError names the fix
    images, labels = source.split('train')  # (N, 1, 28, 28) float32, ink = 1; (N,) int32
    source.labels                           # label names, by index
    source.describe()                       # what *_args.json keeps: name, title, labels
"""
import dataclasses
import os

from digitgan.cli import UserError
from digitgan.data import catalog
from digitgan.data.image_folder import TEST_EVERY, read_image_folder

DEFAULT = 'mnist'


def add_arguments(parser, default=DEFAULT):
    parser.add_argument('--dataset', default=None, metavar='NAME',
                        help='%s (default %s); --image-folder replaces it'
                             % (', '.join(catalog.NAMES), default))
    parser.add_argument('--data-dir', default=None,
                        help="folder with the data set's four *-ubyte.gz IDX files (default "
                             'for mnist: $MNIST_DATA_DIR, else downloaded to '
                             '~/.cache/dcgan-mnist; for fashion-mnist: $FASHION_MNIST_DATA_DIR, '
                             "else Debian's dataset-fashion-mnist, else downloaded)")
    parser.add_argument('--image-folder', default=None, metavar='DIR',
                        help='your own labelled images: one subfolder per label, named for it, '
                             'any format Pillow reads (every 10th image is held out for tests)')
    parser.set_defaults(default_dataset=default)


@dataclasses.dataclass
class Source:
    name: str
    title: str
    labels: tuple
    load: object          # split -> (images, labels)

    def split(self, which):
        return self.load(which)

    @property
    def n_classes(self):
        return len(self.labels)

    def describe(self):
        return {'name': self.name, 'title': self.title, 'labels': list(self.labels)}


def from_args(args, log=print):
    if args.image_folder:
        if args.dataset or args.data_dir:
            raise UserError('--image-folder is a data set of its own: pass it without '
                            '--dataset and --data-dir')
        return image_folder_source(args.image_folder, log)
    return idx_source(args.dataset or getattr(args, 'default_dataset', DEFAULT), args.data_dir)


def idx_source(name, data_dir=None):
    chosen = catalog.idx_set(name, data_dir)
    if data_dir and not os.path.isdir(data_dir):
        raise UserError('--data-dir %s: no such folder' % data_dir)
    return Source(chosen.name, chosen.title, tuple(chosen.labels),
                  lambda split: chosen.load(split, data_dir))


def image_folder_source(root, log=print):
    folder = read_image_folder(root, log)
    splits = {'train': folder.train, 'test': folder.test}
    if not len(folder.test[1]):
        log('--image-folder %s: fewer than %d images a label, so no test split: measures '
            'that need one use the training images' % (root, TEST_EVERY))
        splits['test'] = folder.train
    return Source(folder.name, folder.name, folder.labels, splits.__getitem__)


def check_batchsize(batchsize, images):
    if batchsize > len(images):
        raise UserError('--batchsize %d is more than the %d training images; pass a smaller one'
                        % (batchsize, len(images)))


def labels_of(description):
    """Label names from an *_args.json dict: its dataset's, else the digits 0-9."""
    dataset = description.get('dataset') or {}
    names = dataset.get('labels') or (description.get('contract') or {}).get('labels')
    return tuple(str(n) for n in names) if names else catalog.MNIST.labels
