"""digitgan/cpu_kernels/ against Chainer's own functions, for every layer shape of the
project's four networks: values, gradients (input, weights, bias), numerical gradient
checks, double back-propagation, routing and the switch."""
import chainer
import chainer.functions as F
from chainer import gradient_check
import numpy
import pytest

from digitgan import cpu_kernels, networks

# Chainer's own functions, whatever is routed at the time a test runs.
CHAINER_CONV = cpu_kernels.chainer_conv_module.convolution_2d
CHAINER_DECONV = cpu_kernels.chainer_deconv_module.deconvolution_2d
CHAINER_LEAKY = cpu_kernels.chainer_leaky_relu_module.leaky_relu
CHAINER_BN = chainer.functions.normalization.batch_normalization.batch_normalization

# (in channels, out channels, size, kernel, stride, pad, bias) of each convolution.
CONVOLUTIONS = {
    'discriminator c0 (image plane)': (1, 64, 28, 4, 2, 1, True),
    'discriminator c0 (label planes)': (10, 64, 28, 4, 2, 1, False),
    'discriminator c1': (64, 128, 14, 4, 2, 1, True),
    'discriminator c1, --dis-ch 128': (128, 256, 14, 4, 2, 1, True),
    'recogniser c1': (1, 32, 28, 3, 1, 1, False),
    'recogniser c2': (32, 32, 28, 3, 1, 1, False),
    'recogniser c3': (32, 64, 14, 3, 1, 1, False),
    'recogniser c4': (64, 64, 14, 3, 1, 1, False),
    'encoder c0': (11, 32, 28, 4, 2, 1, True),
    'encoder c1': (32, 64, 14, 4, 2, 1, False),
    'encoder c2': (64, 32, 7, 3, 2, 1, False),
}
# (in channels, out channels, size) of each deconvolution (4x4, stride 2, pad 1).
DECONVOLUTIONS = {
    'generator dc1': (64, 32, 7),
    'generator dc1, --gen-ch 128': (128, 64, 7),
    'generator dc2': (32, 1, 14),
}
BATCH = 3


def random(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(numpy.float32)


def gradients(function, inputs, gy):
    variables = [chainer.Variable(a.copy()) for a in inputs]
    y = function(*variables)
    y.grad = gy.copy()
    y.backward()
    return y.array, [v.grad for v in variables]


def assert_close(ours, theirs, what, scale=None):
    scale = max(1.0, float(numpy.abs(theirs).max()) if scale is None else scale)
    error = float(numpy.abs(numpy.asarray(ours) - theirs).max()) / scale
    assert error < 2e-5, '%s differs from Chainer by %.2e (relative to %.1f)' % (
        what, error, scale)


@pytest.mark.parametrize('name', sorted(CONVOLUTIONS))
def test_convolution_matches_chainer(name):
    c_in, c_out, size, k, s, p, bias = CONVOLUTIONS[name]
    rng = numpy.random.RandomState(0)
    x, W = random(rng, BATCH, c_in, size, size), random(rng, c_out, c_in, k, k, scale=0.1)
    inputs = [x, W] + ([random(rng, c_out)] if bias else [])
    out = (size + 2 * p - k) // s + 1
    gy = random(rng, BATCH, c_out, out, out)

    def ours(*v):
        return cpu_kernels.Convolution2D((s, s), (p, p)).apply(v)[0]

    def theirs(*v):
        return CHAINER_CONV(*v, stride=s, pad=p)
    y, grads = gradients(ours, inputs, gy)
    y_ref, grads_ref = gradients(theirs, inputs, gy)
    assert y.shape == y_ref.shape
    assert_close(y, y_ref, 'output')
    for label, g, g_ref in zip(('gx', 'gW', 'gb'), grads, grads_ref):
        assert_close(g, g_ref, label)
    # The output keeps the (N, C, H, W) shape with channels-last memory.
    assert y.transpose(0, 2, 3, 1).flags.c_contiguous


@pytest.mark.parametrize('name', sorted(DECONVOLUTIONS))
def test_deconvolution_matches_chainer(name):
    c_in, c_out, size = DECONVOLUTIONS[name]
    rng = numpy.random.RandomState(1)
    inputs = [random(rng, BATCH, c_in, size, size), random(rng, c_in, c_out, 4, 4, scale=0.1),
              random(rng, c_out)]
    gy = random(rng, BATCH, c_out, 2 * size, 2 * size)

    def ours(*v):
        return cpu_kernels.Deconvolution2D((2, 2), (1, 1), (2 * size, 2 * size)).apply(v)[0]

    def theirs(*v):
        return CHAINER_DECONV(*v, stride=2, pad=1)
    y, grads = gradients(ours, inputs, gy)
    y_ref, grads_ref = gradients(theirs, inputs, gy)
    assert_close(y, y_ref, 'output')
    for label, g, g_ref in zip(('gx', 'gW', 'gb'), grads, grads_ref):
        assert_close(g, g_ref, label)


@pytest.mark.parametrize('shape', [(BATCH, 32, 14, 14), (BATCH, 128, 7, 7), (BATCH, 3136),
                                   (BATCH, 64, 4, 4)])
def test_batch_normalization_matches_chainer(shape):
    rng = numpy.random.RandomState(2)
    x = random(rng, *shape) * 3 + 1
    if x.ndim == 4:                           # channels-last memory, as the convolutions give
        x = numpy.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    gamma, beta = random(rng, shape[1]) + 1, random(rng, shape[1])
    gy = random(rng, *shape)
    stats = {}

    def run(kind):
        mean, var = numpy.zeros(shape[1], numpy.float32), numpy.ones(shape[1], numpy.float32)
        stats[kind] = (mean, var)
        if kind == 'ours':
            node = cpu_kernels.BatchNormalization(2e-5, mean, var, 0.9)
            return lambda *v: node.apply(v)[0]
        return lambda *v: CHAINER_BN(*v, running_mean=mean, running_var=var)
    y, grads = gradients(run('ours'), [x, gamma, beta], gy)
    y_ref, grads_ref = gradients(run('chainer'), [x, gamma, beta], gy)
    assert_close(y, y_ref, 'output')
    for label, g, g_ref in zip(('gx', 'ggamma', 'gbeta'), grads, grads_ref):
        assert_close(g, g_ref, label)
    for ours, theirs in zip(stats['ours'], stats['chainer']):
        assert_close(ours, theirs, 'running statistics')


def test_leaky_relu_matches_chainer():
    rng = numpy.random.RandomState(3)
    x, gy = random(rng, BATCH, 64, 14, 14), random(rng, BATCH, 64, 14, 14)
    y, (gx,) = gradients(lambda v: cpu_kernels.LeakyReLU(0.2).apply((v,))[0], [x], gy)
    y_ref, (gx_ref,) = gradients(lambda v: CHAINER_LEAKY(v, 0.2), [x], gy)
    assert_close(y, y_ref, 'output')
    assert_close(gx, gx_ref, 'gx')


# Numerical gradients in float32 (chainer.gradient_check), on small copies of each kind.
@pytest.mark.parametrize('kind', ['conv 4x4 s2', 'conv 3x3 s1', 'conv 3x3 s2', 'deconv 4x4 s2'])
def test_numerical_gradients(kind):
    rng = numpy.random.RandomState(4)
    if kind.startswith('deconv'):
        x, W, b = random(rng, 2, 3, 4, 4), random(rng, 3, 2, 4, 4, scale=0.5), random(rng, 2)
        gy = random(rng, 2, 2, 8, 8)

        def function(*v):
            return cpu_kernels.Deconvolution2D((2, 2), (1, 1), (8, 8)).apply(v)[0]
    else:
        k, s = (4, 2) if '4x4' in kind else (3, int(kind[-1]))
        x, W, b = random(rng, 2, 3, 7, 7), random(rng, 4, 3, k, k, scale=0.5), random(rng, 4)
        out = (7 + 2 - k) // s + 1
        gy = random(rng, 2, 4, out, out)

        def function(*v):
            return cpu_kernels.Convolution2D((s, s), (1, 1)).apply(v)[0]
    gradient_check.check_backward(function, (x, W, b), gy, eps=1e-2, atol=1e-2, rtol=1e-2)


def test_double_backward():
    """A gradient penalty differentiates a gradient: every node's backward is itself
    differentiable (checked numerically)."""
    rng = numpy.random.RandomState(5)
    x, W = random(rng, 2, 3, 6, 6), random(rng, 4, 3, 4, 4, scale=0.5)
    gy, ggx, ggW = random(rng, 2, 4, 3, 3), random(rng, 2, 3, 6, 6), random(rng, 4, 3, 4, 4)

    def conv(x, W):
        return cpu_kernels.Convolution2D((2, 2), (1, 1)).apply((x, W))[0]
    gradient_check.check_double_backward(conv, (x, W), gy, (ggx, ggW), eps=1e-2, atol=2e-2,
                                         rtol=2e-2)

    xd, Wd = random(rng, 2, 3, 3, 3), random(rng, 3, 2, 4, 4, scale=0.5)
    gyd = random(rng, 2, 2, 6, 6)

    def deconv(x, W):
        return cpu_kernels.Deconvolution2D((2, 2), (1, 1), (6, 6)).apply((x, W))[0]
    gradient_check.check_double_backward(deconv, (xd, Wd), gyd,
                                         (random(rng, 2, 3, 3, 3), random(rng, 3, 2, 4, 4)),
                                         eps=1e-2, atol=2e-2, rtol=2e-2)

    xb = numpy.ascontiguousarray(random(rng, 4, 5, 3, 3).transpose(0, 2, 3, 1))
    xb = xb.transpose(0, 3, 1, 2) * 2 + 1
    gamma, beta = random(rng, 5) + 1, random(rng, 5)

    def bn(x, gamma, beta):
        return cpu_kernels.BatchNormalization(2e-5, None, None, 0.9).apply((x, gamma, beta))[0]
    gradient_check.check_double_backward(
        bn, (xb, gamma, beta), random(rng, 4, 5, 3, 3),
        (random(rng, 4, 5, 3, 3), random(rng, 5), random(rng, 5)), eps=1e-2, atol=5e-2,
        rtol=5e-2)


def test_im2col_and_col2im_are_adjoint():
    """<im2col(x), c> == <x, col2im(c)> for the geometries col2im treats specially."""
    rng = numpy.random.RandomState(6)
    for size, k, s, p in [(14, 4, 2, 1), (28, 3, 1, 1), (7, 3, 2, 1), (5, 3, 2, 0),
                          (9, 5, 3, 2)]:
        out = (size + 2 * p - k) // s + 1
        x = rng.standard_normal((2, size, size, 3))
        col = rng.standard_normal((2 * out * out, k * k * 3))
        left = (cpu_kernels.im2col(x, k, k, s, s, p, p, out, out) * col).sum()
        right = (x * cpu_kernels.col2im(col, 2, size, size, 3, k, k, s, s, p, p, out,
                                         out)).sum()
        assert abs(left - right) < 1e-9 * max(1.0, abs(left)), (size, k, s, p)


@pytest.fixture
def kernels_on():
    was_on = cpu_kernels.enabled()
    cpu_kernels.enable()
    yield
    if not was_on:
        cpu_kernels.disable()


def test_routing_and_fallbacks(kernels_on):
    rng = numpy.random.RandomState(7)
    x, W = random(rng, 2, 3, 8, 8), random(rng, 4, 3, 3, 3)
    assert F.convolution_2d(x, W, pad=1).creator.__class__ is cpu_kernels.Convolution2D
    assert (chainer.links.Convolution2D(3, 4, 3, pad=1)(x).creator.__class__
            is cpu_kernels.Convolution2D)
    assert chainer.links.Deconvolution2D(3, 4, 4, 2, 1)(x).creator.__class__ \
        is cpu_kernels.Deconvolution2D
    assert F.leaky_relu(x).creator.__class__ is cpu_kernels.LeakyReLU
    # Cases the kernels do not cover go to Chainer's own functions, unchanged.
    assert F.convolution_2d(x.astype(numpy.float64), W.astype(numpy.float64)).creator \
        .__class__ is not cpu_kernels.Convolution2D
    assert F.convolution_2d(x, W, cover_all=True).creator.__class__ \
        is not cpu_kernels.Convolution2D
    assert F.convolution_2d(x, random(rng, 3, 1, 3, 3), groups=3).creator.__class__ \
        is not cpu_kernels.Convolution2D
    bn = chainer.links.BatchNormalization(3)
    assert bn(x).creator.__class__ is not cpu_kernels.BatchNormalization   # NCHW memory
    x_last = numpy.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    assert bn(x_last).creator.__class__ is cpu_kernels.BatchNormalization
    with chainer.using_config('train', False):        # eval mode: Chainer's fixed BN
        assert bn(x_last).creator.__class__ is not cpu_kernels.BatchNormalization
    cpu_kernels.disable()
    assert F.convolution_2d(x, W).creator.__class__ is not cpu_kernels.Convolution2D
    assert not cpu_kernels.enabled()


def test_switch(monkeypatch, kernels_on):
    cpu = chainer.get_device('@numpy')
    monkeypatch.setenv(cpu_kernels.ENVIRONMENT_SWITCH, '0')
    assert cpu_kernels.enable_for(cpu) is False and not cpu_kernels.enabled()
    monkeypatch.setenv(cpu_kernels.ENVIRONMENT_SWITCH, '1')
    assert cpu_kernels.enable_for(cpu) is True and cpu_kernels.enabled()
    monkeypatch.delenv(cpu_kernels.ENVIRONMENT_SWITCH)
    assert cpu_kernels.enable_for(cpu) is True


@pytest.mark.parametrize('network', ['generator', 'discriminator', 'recogniser', 'encoder'])
def test_whole_networks_match(network, kernels_on):
    """Each network's loss and every parameter gradient, with and without the kernels."""
    rng = numpy.random.RandomState(8)
    numpy.random.seed(0)
    model = networks.NETWORKS[network]()
    labels = rng.randint(0, 10, 6).astype(numpy.int32)
    images = rng.uniform(0, 1, (6, 1, 28, 28)).astype(numpy.float32)
    if network == 'generator':
        inputs = (model.make_input(model.make_hidden(6, rng=rng), labels),)
    elif network == 'discriminator':
        inputs = (images, labels)
    elif network == 'encoder':
        inputs = (model.make_input(images, labels),)
    else:
        inputs = (images,)
    results = {}
    for kernels in (True, False):
        (cpu_kernels.enable if kernels else cpu_kernels.disable)()
        model.cleargrads()
        with chainer.using_config('train', True):
            if network == 'recogniser':      # no dropout, so that both runs agree
                out = model.l6(model.features(*inputs))
            else:
                out = model(*inputs)
        loss = F.sum(out * out)
        loss.backward()
        results[kernels] = (float(loss.array),
                            {name: p.grad.copy() for name, p in model.namedparams()})
    assert results[True][0] == pytest.approx(results[False][0], rel=1e-5)
    # Relative to the largest gradient: a bias before BatchNorm has a zero gradient, whose
    # float32 value is round-off alone.
    largest = max(float(numpy.abs(g).max()) for g in results[False][1].values())
    for name, grad in results[False][1].items():
        assert_close(results[True][1][name], grad, '%s %s' % (network, name), largest)


def test_training_steps_track_chainer(mnist_dir, kernels_on):
    """The same seed, the same real MNIST batches: the GAN's losses step by step with and
    without the kernels. They agree to float32 round-off at first; a GAN amplifies such
    differences, so later steps are compared loosely (the README reports 300 iterations)."""
    from digitgan.data.catalog import load_mnist
    from digitgan.training.updater import GANUpdater, make_optimizer
    from script_helpers import data_dir_or_fail
    images, labels = load_mnist('train', data_dir_or_fail(mnist_dir))
    data = chainer.datasets.TupleDataset(images[:400], labels[:400])
    losses = {}
    for kernels in (True, False):
        (cpu_kernels.enable if kernels else cpu_kernels.disable)()
        numpy.random.seed(0)
        gen, dis = networks.Generator(), networks.Discriminator()
        iterator = chainer.iterators.SerialIterator(data, 25, shuffle=False)
        updater = GANUpdater(iterator, {'gen': make_optimizer(gen), 'dis': make_optimizer(dis)},
                             models=(gen, dis), device=-1)
        steps = []
        for _ in range(8):
            reporter, observation = chainer.reporter.Reporter(), {}
            reporter.add_observer('gen', gen)
            reporter.add_observer('dis', dis)
            with reporter.scope(observation):
                updater.update()
            steps.append((float(observation['gen/loss'].array),
                          float(observation['dis/loss'].array)))
        losses[kernels] = numpy.array(steps)
    ours, theirs = losses[True], losses[False]
    numpy.testing.assert_allclose(ours[:3], theirs[:3], rtol=1e-4)
    numpy.testing.assert_allclose(ours, theirs, rtol=2e-2)
