"""The Encoder's training step: learn z = E(x, y) against one frozen Generator.

Four terms, each with its weight (train_encoder.py flags; 0 switches a term off):

    latent    |E(G(z, y), y) - z|^2 on generated pairs: z drawn from the prior, so E learns
              the generator's own map back, and its z stay where G was trained
    pixel     |G(E(x, y), y) - x|^2 on real MNIST digits: the redrawing looks like the input
    feature   |f(G(E(x, y), y)) - f(x)|^2 with f the recogniser's penultimate features
              (a perceptual loss): stroke shape over exact pixel positions
    prior     (mean(z^2) - 1)^2 per sample: z of real digits keeps the prior's scale, so G
              also writes the *other* digits from it (a z far outside N(0, 1) is a blur)

The generator and recogniser run in eval mode (BatchNorm's running statistics, as in the
browser) and are never updated: only the Encoder's optimizer (named 'encoder') steps.
"""
import chainer
import chainer.functions as F
import numpy

LOSS_TERMS = ('latent', 'pixel', 'feature', 'prior')
# train_encoder.py's defaults, the best mix measured (README, Your handwriting): the feature
# term costs 5x the time of the others per step and did not pay for it.
DEFAULT_WEIGHTS = {'latent': 1.0, 'pixel': 10.0, 'feature': 0.0, 'prior': 0.1}


def latent_loss(z_estimate, z):
    return F.mean(F.squared_error(z_estimate, z))


def pixel_loss(redrawn, images):
    return F.mean(F.squared_error(redrawn, images))


def feature_loss(redrawn_features, image_features):
    return F.mean(F.squared_error(redrawn_features, image_features))


def prior_loss(z):
    """Zero when each z's mean square is 1, the standard normal prior's expectation."""
    return F.mean(F.square(F.mean(F.square(z), axis=1) - 1))


class EncoderUpdater(chainer.training.updaters.StandardUpdater):
    """One step on a batch of real (image, label) pairs and as many generated ones.
    Reports encoder/loss and encoder/<term> for every term with a nonzero weight."""

    def __init__(self, iterator, optimizer, generator, recogniser, weights, device=None):
        super().__init__(iterator, {'encoder': optimizer}, device=device)
        self.generator = generator
        self.recogniser = recogniser
        self.weights = dict(weights)
        unknown = set(self.weights) - set(LOSS_TERMS)
        if unknown:
            raise ValueError('unknown loss terms: %s' % ', '.join(sorted(unknown)))

    def frozen(self, function, *args):
        """`function` of the frozen networks in eval mode (gradients still flow to inputs)."""
        with chainer.using_config('train', False):
            return function(*args)

    def losses(self, encoder, images, labels):
        """{term: loss Variable} for a batch of real images (B, 1, 28, 28) and labels."""
        xp, gen, w = encoder.xp, self.generator, self.weights
        terms = {}
        if w.get('latent'):
            z = gen.make_hidden(len(labels), xp)
            with chainer.using_config('enable_backprop', False):
                fake = self.frozen(gen, gen.make_input(z, labels)).array
            terms['latent'] = latent_loss(encoder(encoder.make_input(fake, labels)), z)
        if w.get('pixel') or w.get('feature') or w.get('prior'):
            z = encoder(encoder.make_input(images, labels))
            if w.get('prior'):
                terms['prior'] = prior_loss(z)
            if w.get('pixel') or w.get('feature'):
                one_hot = xp.eye(gen.n_classes, dtype=numpy.float32)[labels]
                redrawn = self.frozen(gen, F.concat([z, one_hot], axis=1))
                if w.get('pixel'):
                    terms['pixel'] = pixel_loss(redrawn, images)
                if w.get('feature'):
                    with chainer.using_config('enable_backprop', False):
                        target = self.frozen(self.recogniser.features, images).array
                    terms['feature'] = feature_loss(
                        self.frozen(self.recogniser.features, redrawn), target)
        return terms

    def update_core(self):
        optimizer = self.get_optimizer('encoder')
        encoder = optimizer.target
        images, labels = self.converter(self.get_iterator('main').next(), self.device)
        terms = self.losses(encoder, images, labels.astype(numpy.int32))
        loss = sum(self.weights[name] * value for name, value in terms.items())
        encoder.cleargrads()
        loss.backward()
        optimizer.update()
        chainer.report({'loss': loss}, encoder)
        chainer.report(terms, encoder)
