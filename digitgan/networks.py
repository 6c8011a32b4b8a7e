"""The networks: conditional Generator and Discriminator, Recogniser, and the Encoder that
inverts the Generator (a drawn digit -> its z, "your handwriting").

No I/O here. Each network's hyperparameters are its constructor's keyword arguments, and
`model_args()` returns them so that a training run can save them next to the weights
(`*_args.json`) and every consumer (2pack.py, evaluate.py, generate.py, the pages) rebuilds
the same network from that file. `MODEL_CONTRACT` is the input/output contract they share.

Data convention everywhere: images are float32 1x28x28 in [0, 1], ink = 1, background = 0.
"""
import chainer
import chainer.functions as F
import chainer.link_hooks
import chainer.links as L
import numpy

N_CLASSES = 10
CONDITIONINGS = ('planes', 'projection')   # how the Discriminator sees the label
IMAGE_SHAPE = (1, 28, 28)

# What a consumer needs to drive the generator and the recogniser without reading Python.
MODEL_CONTRACT = {
    'image_shape': list(IMAGE_SHAPE),
    'image_range': [0.0, 1.0],
    'image_ink': 'ink = 1, background = 0',
    'labels': [str(d) for d in range(N_CLASSES)],    # other data sets name their own
    'z_prior': 'standard normal N(0, 1), independent per component',
    'generator_input': 'concat(z, one_hot(label)) of shape [batch, n_hidden + n_classes]',
    'recogniser_output': 'softmax probabilities over labels, shape [batch, n_classes]',
    'encoder_input': 'image plane, then n_classes planes holding one_hot(label) (1 on the '
                     "label's plane, 0 elsewhere), shape [batch, 1 + n_classes, 28, 28]",
    'encoder_output': "z for the generator: G(concat(z, one_hot(label'))) writes label' in "
                      "the input's style, shape [batch, n_hidden]",
}


class Generator(chainer.Chain):
    """concat(z ~ N(0, 1)^n_hidden, one_hot(label)) -> 1x28x28 image in [0, 1].

    Sized for the browser: ~0.38M parameters (1.5 MB float32, ~0.4 MB as 8-bit).
    """

    def __init__(self, n_hidden=100, n_classes=N_CLASSES, ch=64, bottom_width=7,
                 wscale=0.02):
        super().__init__()
        self.n_hidden = n_hidden      # size of z
        self.n_classes = n_classes    # size of the one-hot label
        self.ch = ch                  # channels at the 7x7 stage (halved at 14x14)
        self.bottom_width = bottom_width
        w = chainer.initializers.Normal(wscale)
        with self.init_scope():
            self.l0 = L.Linear(n_hidden + n_classes, bottom_width * bottom_width * ch,
                               initialW=w)
            self.dc1 = L.Deconvolution2D(ch, ch // 2, 4, 2, 1, initialW=w)
            self.dc2 = L.Deconvolution2D(ch // 2, 1, 4, 2, 1, initialW=w)
            self.bn0 = L.BatchNormalization(bottom_width * bottom_width * ch)
            self.bn1 = L.BatchNormalization(ch // 2)

    def model_args(self):
        return {'n_hidden': self.n_hidden, 'n_classes': self.n_classes,
                'ch': self.ch, 'bottom_width': self.bottom_width}

    def make_hidden(self, batchsize, xp=numpy, rng=None):
        """z for `batchsize` samples: float32 from the standard normal prior, drawn from
        `rng` (a numpy RandomState, for repeatable draws) or else from xp's global one."""
        if rng is None:
            return xp.random.standard_normal((batchsize, self.n_hidden)).astype(numpy.float32)
        z = rng.standard_normal((batchsize, self.n_hidden)).astype(numpy.float32)
        return xp.asarray(z)

    def make_input(self, z, labels):
        """The generator's single input: concat(z, one_hot(labels))."""
        xp = chainer.backend.get_array_module(z)
        one_hot = xp.eye(self.n_classes, dtype=numpy.float32)[labels]
        return xp.concatenate([z, one_hot], axis=1)

    def forward(self, x):
        h = F.relu(self.bn0(self.l0(x)))                                  # (B, 7*7*ch)
        h = F.reshape(h, (len(x), self.ch, self.bottom_width, self.bottom_width))
        h = F.relu(self.bn1(self.dc1(h)))                                 # (B, ch/2, 14, 14)
        return F.sigmoid(self.dc2(h))         # (B, 1, 28, 28) in [0, 1], matching the data


class Discriminator(chainer.Chain):
    """(image, label) -> real/fake logit.

    conditioning='planes': the label enters as 10 constant planes beside the image (the
    2015-style conditional DCGAN). conditioning='projection': the body sees the image only and
    the label enters at the end as <embed(label), features> (Miyato & Koyama 2018).
    spectral_norm=True: every weight is divided by its largest singular value (Miyato et al.
    2018), which bounds D's Lipschitz constant; BatchNorm is then left out, as in SNGAN.
    minibatch_std=N (N > 1): one more 7x7 feature map before the last layer, the spread of the
    features over groups of N samples of the batch (Karras et al. 2018), so that D can tell
    when G's digits are too much alike; 0 for none.
    """

    def __init__(self, n_classes=N_CLASSES, ch=64, wscale=0.02, conditioning='planes',
                 spectral_norm=False, layers=2, minibatch_std=0):
        super().__init__()
        if conditioning not in CONDITIONINGS:
            raise ValueError('conditioning must be one of %s' % ', '.join(CONDITIONINGS))
        if layers not in (2, 3):
            raise ValueError('layers must be 2 or 3')
        if minibatch_std == 1 or minibatch_std < 0:
            raise ValueError('minibatch_std must be 0 (none) or a group size of 2 or more')
        self.n_classes = n_classes
        self.ch = ch
        self.conditioning = conditioning
        self.spectral_norm = spectral_norm
        self.layers = layers
        self.minibatch_std = minibatch_std
        w = chainer.initializers.Normal(wscale)
        planes = n_classes if conditioning == 'planes' else 0
        features = (ch * (2 if layers == 2 else 4) + (1 if minibatch_std else 0)) * 7 * 7
        with self.init_scope():
            self.c0 = L.Convolution2D(1 + planes, ch, 4, 2, 1, initialW=w)      # -> 14x14
            self.c1 = L.Convolution2D(ch, ch * 2, 4, 2, 1, initialW=w)          # -> 7x7
            if layers == 3:                                                     # 7x7, deeper
                self.c2 = L.Convolution2D(ch * 2, ch * 4, 3, 1, 1, initialW=w)
            if not spectral_norm:
                self.bn1 = L.BatchNormalization(ch * 2)
                if layers == 3:
                    self.bn2 = L.BatchNormalization(ch * 4)
            self.l2 = L.Linear(features, 1, initialW=w)
            if conditioning == 'projection':
                self.embed = L.EmbedID(n_classes, features, initialW=w)
        if spectral_norm:
            for link in self.children():
                link.add_hook(chainer.link_hooks.SpectralNormalization())

    def model_args(self):
        return {'n_classes': self.n_classes, 'ch': self.ch, 'conditioning': self.conditioning,
                'spectral_norm': self.spectral_norm, 'layers': self.layers,
                'minibatch_std': self.minibatch_std}

    def forward(self, x, labels):
        if self.conditioning == 'planes':
            h = convolve_with_label_planes(self.c0, x, labels, self.n_classes)
        else:
            h = self.c0(x)
        h = F.leaky_relu(h)
        h = self.c1(h)
        h = F.leaky_relu(h if self.spectral_norm else self.bn1(h))
        if self.layers == 3:
            h = self.c2(h)
            h = F.leaky_relu(h if self.spectral_norm else self.bn2(h))
        if self.minibatch_std:
            h = with_minibatch_std(h, self.minibatch_std)
        h = F.reshape(h, (len(h), -1))                                   # (B, 2ch*7*7)
        logit = self.l2(h)
        if self.conditioning == 'projection':
            logit += F.sum(self.embed(labels) * h, axis=1, keepdims=True)
        return logit                          # (B, 1)


def with_minibatch_std(h, group):
    """h (B, C, H, W) with one more channel: for each group of samples (b, b + B/g, ...,
    g of them), the standard deviation of every feature over the group, averaged over
    features and pixels, as a constant map. g is the largest divisor of B up to `group`."""
    batch, _, height, width = h.shape
    g = max(d for d in range(1, min(group, batch) + 1) if batch % d == 0)
    groups = F.reshape(h, (g, batch // g) + h.shape[1:])                 # (g, B/g, C, H, W)
    centred = groups - F.broadcast_to(F.mean(groups, axis=0, keepdims=True), groups.shape)
    std = F.sqrt(F.mean(centred * centred, axis=0) + 1e-8)               # (B/g, C, H, W)
    spread = F.mean(std, axis=(1, 2, 3))                                 # (B/g,)
    spread = F.tile(F.reshape(spread, (1, batch // g, 1, 1, 1)), (g, 1, 1, height, width))
    return F.concat((h, F.reshape(spread, (batch, 1, height, width))), axis=1)


def convolve_with_label_planes(conv, x, labels, n_classes):
    """conv(concat(x, one_hot(labels) as constant planes)), computed exactly but cheaply.

    The label planes are constant, so their share of the convolution is one (C', H', W') map
    per label (each plane convolved alone, zero padding included), picked by the label:
    conv(x, W[:, :c]) + maps[labels]. The weights and their gradients are those of the
    concatenated form (same parameter, same sums), at a tenth of the work for 1 + 10 planes.
    """
    xp = chainer.backend.get_array_module(x)
    image_channels = x.shape[1]
    h = F.convolution_2d(x, conv.W[:, :image_channels], conv.b, conv.stride, conv.pad)
    eye = xp.eye(n_classes, dtype=numpy.float32)
    planes = xp.broadcast_to(eye[:, :, None, None], (n_classes, n_classes) + x.shape[2:])
    maps = F.convolution_2d(planes, conv.W[:, image_channels:], None, conv.stride, conv.pad)
    # Picked by a one-hot product (its gradient is one small matmul, not a scatter), in
    # (H', W', C') order, so that the sum keeps the memory order of h whichever it is.
    maps = F.reshape(F.transpose(maps, (0, 2, 3, 1)), (n_classes, -1))
    picked = F.reshape(F.matmul(eye[labels], maps), (len(labels),) + h.shape[2:] + h.shape[1:2])
    return h + F.transpose(picked, (0, 3, 1, 2))


class Recogniser(chainer.Chain):
    """1x28x28 image in [0, 1] -> 10 class logits. Only layers WebDNN converts."""

    def __init__(self, ch=32, n_units=128, n_classes=N_CLASSES):
        super().__init__()
        self.ch = ch
        self.n_units = n_units
        self.n_classes = n_classes
        with self.init_scope():
            self.c1 = L.Convolution2D(1, ch, 3, 1, 1, nobias=True)
            self.c2 = L.Convolution2D(ch, ch, 3, 1, 1, nobias=True)
            self.c3 = L.Convolution2D(ch, ch * 2, 3, 1, 1, nobias=True)
            self.c4 = L.Convolution2D(ch * 2, ch * 2, 3, 1, 1, nobias=True)
            self.bn1 = L.BatchNormalization(ch)
            self.bn2 = L.BatchNormalization(ch)
            self.bn3 = L.BatchNormalization(ch * 2)
            self.bn4 = L.BatchNormalization(ch * 2)
            self.l5 = L.Linear(ch * 2 * 7 * 7, n_units)
            self.l6 = L.Linear(n_units, n_classes)

    def model_args(self):
        return {'ch': self.ch, 'n_units': self.n_units, 'n_classes': self.n_classes}

    def features(self, x):
        """Penultimate features (B, n_units), used by evaluate.py's Frechet distance."""
        h = F.relu(self.bn1(self.c1(x)))
        h = F.max_pooling_2d(F.relu(self.bn2(self.c2(h))), 2, 2)          # -> 14x14
        h = F.relu(self.bn3(self.c3(h)))
        h = F.max_pooling_2d(F.relu(self.bn4(self.c4(h))), 2, 2)          # -> 7x7
        return F.relu(self.l5(h))

    def forward(self, x):
        return self.l6(F.dropout(self.features(x), 0.3))


class Encoder(chainer.Chain):
    """(image, one-hot label as planes) -> z such that G(z, label) redraws the image and
    G(z, other label) writes the other digit in the same hand. Trained against one frozen
    Generator (train_encoder.py), so it is only valid with that generator's weights.

    Sized for the browser: ~108k parameters (0.43 MB float32). The label enters as constant
    planes beside the image, so the converted graph has a single image-shaped input.
    """

    def __init__(self, n_hidden=100, n_classes=N_CLASSES, ch=32):
        super().__init__()
        self.n_hidden = n_hidden
        self.n_classes = n_classes
        self.ch = ch
        with self.init_scope():
            self.c0 = L.Convolution2D(1 + n_classes, ch, 4, 2, 1)      # -> 14x14
            self.c1 = L.Convolution2D(ch, ch * 2, 4, 2, 1, nobias=True)  # -> 7x7
            self.c2 = L.Convolution2D(ch * 2, ch, 3, 2, 1, nobias=True)  # -> 4x4
            self.bn1 = L.BatchNormalization(ch * 2)
            self.bn2 = L.BatchNormalization(ch)
            self.l3 = L.Linear(ch * 4 * 4, n_hidden)

    def model_args(self):
        return {'n_hidden': self.n_hidden, 'n_classes': self.n_classes, 'ch': self.ch}

    def make_input(self, images, labels):
        """The encoder's single input: images (B, 1, 28, 28) and label planes (B, 10, 28, 28)."""
        xp = chainer.backend.get_array_module(images)
        one_hot = xp.eye(self.n_classes, dtype=numpy.float32)[labels]
        planes = xp.broadcast_to(one_hot[:, :, None, None],
                                 (len(labels), self.n_classes) + images.shape[2:])
        return xp.concatenate([images.astype(numpy.float32), planes], axis=1)

    def forward(self, x):
        h = F.relu(self.c0(x))
        h = F.relu(self.bn1(self.c1(h)))
        h = F.relu(self.bn2(self.c2(h)))
        return self.l3(h)                     # (B, n_hidden): z, unbounded like the prior


NETWORKS = {'generator': Generator, 'discriminator': Discriminator, 'recogniser': Recogniser,
            'encoder': Encoder}
