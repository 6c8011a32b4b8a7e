"""networks.py: shapes, ranges, conditioning, model_args round trip, eval mode, on the CPU."""
import chainer
import numpy
import pytest

from digitgan.networks import (Discriminator, Generator, IMAGE_SHAPE, MODEL_CONTRACT, N_CLASSES,
                               NETWORKS, Recogniser, with_minibatch_std)

CONFIGS = {
    'tiny': {'generator': {'n_hidden': 6, 'ch': 8},
             'discriminator': {'ch': 4},
             'recogniser': {'ch': 4, 'n_units': 8},
             'encoder': {'n_hidden': 6, 'ch': 4}},
    'default': {'generator': {}, 'discriminator': {}, 'recogniser': {}, 'encoder': {}},
}
B = 12


@pytest.fixture(params=sorted(CONFIGS))
def config(request):
    numpy.random.seed(0)
    return CONFIGS[request.param]


def eval_mode():
    return chainer.using_config('train', False)


def no_grad():
    return chainer.using_config('enable_backprop', False)


def labels_for(batch):
    return numpy.arange(batch, dtype=numpy.int32) % N_CLASSES


def generate(gen, z, labels):
    with eval_mode(), no_grad():
        return gen(gen.make_input(z, labels)).array


def bn_state(link):
    """Copies of every BatchNormalization's running statistics."""
    state = {}
    for name, child in link.namedlinks():
        if isinstance(child, chainer.links.BatchNormalization):
            state[name + '/avg_mean'] = child.avg_mean.copy()
            state[name + '/avg_var'] = child.avg_var.copy()
    return state


def test_generator_output_shape_and_range(config):
    gen = Generator(**config['generator'])
    z = gen.make_hidden(B)
    for mode in (True, False):
        with chainer.using_config('train', mode), no_grad():
            x = gen(gen.make_input(z, labels_for(B))).array
        assert x.shape == (B,) + IMAGE_SHAPE and x.dtype == numpy.float32
        assert 0 <= x.min() and x.max() <= 1 and numpy.isfinite(x).all()


def test_make_hidden_is_standard_normal_float32(config):
    gen = Generator(**config['generator'])
    z = gen.make_hidden(4000)
    assert z.shape == (4000, gen.n_hidden) and z.dtype == numpy.float32
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05
    assert abs(z.mean(axis=0)).max() < 0.15           # every component centred
    assert 0.6 < (abs(z) < 1).mean() < 0.76           # N(0, 1): 68 % within one sigma
    assert not numpy.array_equal(gen.make_hidden(3), gen.make_hidden(3))


def test_make_input_is_z_then_one_hot_label(config):
    gen = Generator(**config['generator'])
    z = gen.make_hidden(B)
    labels = numpy.array([3, 0, 9, 3, 1, 2, 4, 5, 6, 7, 8, 9], numpy.int32)
    x = gen.make_input(z, labels)
    assert x.shape == (B, gen.n_hidden + N_CLASSES) and x.dtype == numpy.float32
    numpy.testing.assert_array_equal(x[:, :gen.n_hidden], z)
    one_hot = x[:, gen.n_hidden:]
    numpy.testing.assert_array_equal(one_hot.sum(axis=1), numpy.ones(B))
    numpy.testing.assert_array_equal(one_hot.argmax(axis=1), labels)
    assert set(numpy.unique(one_hot)) == {0.0, 1.0}


def test_changing_only_the_label_changes_only_that_image(config):
    gen = Generator(**config['generator'])
    z = gen.make_hidden(B)
    labels = labels_for(B)
    before = generate(gen, z, labels)
    changed = labels.copy()
    changed[0] = (labels[0] + 5) % N_CLASSES
    after = generate(gen, z, changed)
    assert numpy.abs(after[0] - before[0]).max() > 1e-6
    numpy.testing.assert_array_equal(after[1:], before[1:])
    # and the same z and label give the same image
    numpy.testing.assert_array_equal(generate(gen, z, labels), before)


def test_discriminator_gives_one_finite_logit_per_image_and_uses_the_label(config):
    dis = Discriminator(**config['discriminator'])
    x = numpy.random.uniform(0, 1, (B,) + IMAGE_SHAPE).astype(numpy.float32)
    labels = labels_for(B)
    with eval_mode(), no_grad():
        y = dis(x, labels).array
        y_other = dis(x, (labels + 1) % N_CLASSES).array
    assert y.shape == (B, 1) and y.dtype == numpy.float32 and numpy.isfinite(y).all()
    assert numpy.abs(y - y_other).max() > 0
    # a Variable input (as the updater passes the generator's output) works the same
    with eval_mode(), no_grad():
        numpy.testing.assert_array_equal(dis(chainer.Variable(x), labels).array, y)


def test_recogniser_gives_ten_logits_and_features(config):
    rec = Recogniser(**config['recogniser'])
    x = numpy.random.uniform(0, 1, (B,) + IMAGE_SHAPE).astype(numpy.float32)
    with eval_mode(), no_grad():
        y = rec(x).array
        features = rec.features(x).array
    assert y.shape == (B, N_CLASSES) and numpy.isfinite(y).all()
    assert features.shape == (B, rec.n_units)


def param_shapes(link):
    return {name: param.shape for name, param in link.namedparams()}


def initialise(name, link):
    """Run one forward pass so that lazily sized layers (Discriminator.l2) get their shape."""
    x = numpy.zeros((2,) + IMAGE_SHAPE, numpy.float32)
    with eval_mode(), no_grad():
        if name == 'generator':
            link(link.make_input(link.make_hidden(2), labels_for(2)))
        elif name == 'discriminator':
            link(x, labels_for(2))
        elif name == 'encoder':
            link(link.make_input(x, labels_for(2)))
        else:
            link(x)


@pytest.mark.parametrize('name', sorted(NETWORKS))
def test_model_args_round_trip(config, name):
    original = NETWORKS[name](**config[name])
    args = original.model_args()
    for key, value in config[name].items():
        assert args[key] == value
    rebuilt = NETWORKS[name](**args)
    assert rebuilt.model_args() == args
    initialise(name, original)
    initialise(name, rebuilt)
    assert param_shapes(rebuilt) == param_shapes(original)
    assert all(shape is not None for shape in param_shapes(rebuilt).values())
    # weights saved from one load into the other (what 2pack.py and evaluate.py do)
    state = {}
    chainer.serializers.DictionarySerializer(state).save(original)
    chainer.serializers.NpzDeserializer(state).load(rebuilt)
    for (_, a), (_, b) in zip(sorted(original.namedparams()), sorted(rebuilt.namedparams())):
        numpy.testing.assert_array_equal(a.array, b.array)


@pytest.mark.parametrize('name', sorted(NETWORKS))
def test_eval_mode_leaves_batchnorm_statistics_alone(config, name):
    link = NETWORKS[name](**config[name])
    initialise(name, link)
    before = bn_state(link)
    assert before
    x = numpy.random.uniform(0, 1, (B,) + IMAGE_SHAPE).astype(numpy.float32)

    def forward():
        if name == 'generator':
            link(link.make_input(link.make_hidden(B), labels_for(B)))
        elif name == 'discriminator':
            link(x, labels_for(B))
        elif name == 'encoder':
            link(link.make_input(x, labels_for(B)))
        else:
            link(x)

    with eval_mode(), no_grad():
        forward()
    after = bn_state(link)
    for key in before:
        numpy.testing.assert_array_equal(after[key], before[key], err_msg=key)
    # ...while a training-mode pass does move them (so the check above can fail)
    with chainer.using_config('train', True), no_grad():
        forward()
    assert any(not numpy.array_equal(bn_state(link)[key], before[key]) for key in before)


def test_model_contract_matches_the_networks():
    assert MODEL_CONTRACT['image_shape'] == list(IMAGE_SHAPE)
    assert MODEL_CONTRACT['labels'] == [str(d) for d in range(N_CLASSES)]
    gen = Generator()
    assert gen.l0.W.shape[1] == gen.n_hidden + N_CLASSES


def test_spectral_norm_hooks_bound_each_weight_and_drop_batchnorm():
    numpy.random.seed(0)
    dis = Discriminator(ch=4, conditioning='projection', spectral_norm=True)
    assert not hasattr(dis, 'bn1')
    hooked = {name for name, link in dis.namedlinks(skipself=True)
              if any(isinstance(h, chainer.link_hooks.SpectralNormalization)
                     for h in link.local_link_hooks.values())}
    assert hooked == {'/c0', '/c1', '/l2', '/embed'}
    x = numpy.random.uniform(0, 1, (8, 1, 28, 28)).astype(numpy.float32)
    labels = numpy.arange(8, dtype=numpy.int32)
    with chainer.using_config('train', True):
        for _ in range(30):                 # power iteration: one step per forward pass
            dis(x, labels)
    for name in ('c0', 'c1', 'l2'):
        link = getattr(dis, name)
        hook = link.local_link_hooks['SpectralNormalization']
        w = hook.normalize_weight(link).array.reshape(link.W.shape[0], -1)
        assert numpy.linalg.svd(w, compute_uv=False)[0] == pytest.approx(1.0, rel=0.05), name


def test_projection_discriminator_uses_the_label():
    numpy.random.seed(1)
    dis = Discriminator(ch=4, conditioning='projection')
    x = numpy.random.uniform(0, 1, (3, 1, 28, 28)).astype(numpy.float32)
    with chainer.using_config('train', False):
        a = dis(x, numpy.array([1, 2, 3], numpy.int32)).array
        b = dis(x, numpy.array([4, 5, 6], numpy.int32)).array
    assert a.shape == (3, 1) and not numpy.allclose(a, b)
    assert dis.model_args()['conditioning'] == 'projection'
    with pytest.raises(ValueError, match='conditioning'):
        Discriminator(conditioning='concat')


@pytest.mark.parametrize('kernels', [False, True])
def test_label_planes_shortcut_equals_the_concatenated_convolution(kernels):
    """convolve_with_label_planes == conv(concat(image, one-hot planes)): values and the
    gradients of the image and of the whole weight (image and label channels)."""
    import chainer.functions as F
    from digitgan import cpu_kernels
    from digitgan.networks import convolve_with_label_planes
    was_on = cpu_kernels.enabled()
    (cpu_kernels.enable if kernels else cpu_kernels.disable)()
    try:
        rng = numpy.random.RandomState(0)
        conv = chainer.links.Convolution2D(1 + N_CLASSES, 8, 4, 2, 1)
        conv.b.array[:] = rng.standard_normal(8).astype(numpy.float32)
        images = rng.uniform(0, 1, (7, 1, 28, 28)).astype(numpy.float32)
        labels = numpy.array([0, 3, 3, 9, 5, 1, 0], dtype=numpy.int32)
        gy = rng.standard_normal((7, 8, 14, 14)).astype(numpy.float32)
        results = []
        for shortcut in (True, False):
            conv.cleargrads()
            x = chainer.Variable(images.copy())
            if shortcut:
                y = convolve_with_label_planes(conv, x, labels, N_CLASSES)
            else:
                planes = numpy.broadcast_to(
                    numpy.eye(N_CLASSES, dtype=numpy.float32)[labels][:, :, None, None],
                    (7, N_CLASSES, 28, 28))
                y = conv(F.concat([x, planes], axis=1))
            y.grad = gy
            y.backward()
            results.append((y.array, x.grad, conv.W.grad.copy(), conv.b.grad.copy()))
        for ours, theirs in zip(*results):
            numpy.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=2e-5)
    finally:
        (cpu_kernels.enable if was_on else cpu_kernels.disable)()


def test_minibatch_std_map_is_each_groups_spread():
    """The extra channel holds, for samples b, b + B/g, ..., the features' standard deviation
    over that group, averaged; alike samples give (almost) 0, and a batch that cannot be cut
    into groups of the asked size uses the largest size that divides it."""
    h = numpy.random.RandomState(0).standard_normal((8, 3, 7, 7)).astype(numpy.float32)
    out = with_minibatch_std(chainer.Variable(h), 4).array
    assert out.shape == (8, 4, 7, 7)
    numpy.testing.assert_array_equal(out[:, :3], h)
    expected = numpy.sqrt(h.reshape(4, 2, 3, 7, 7).var(axis=0) + 1e-8).mean(axis=(1, 2, 3))
    numpy.testing.assert_allclose(out[:, 3], numpy.tile(expected, 4)[:, None, None]
                                  * numpy.ones((1, 7, 7)), rtol=1e-5)
    alike = with_minibatch_std(chainer.Variable(numpy.repeat(h[:1], 8, axis=0)), 4).array
    assert numpy.abs(alike[:, 3]).max() < 1e-3
    odd = with_minibatch_std(chainer.Variable(h[:6]), 4).array        # 6: groups of 3
    expected = numpy.sqrt(h[:6].reshape(3, 2, 3, 7, 7).var(axis=0) + 1e-8).mean(axis=(1, 2, 3))
    numpy.testing.assert_allclose(odd[:, 3, 0, 0], numpy.tile(expected, 3), rtol=1e-5)


def test_minibatch_std_lets_d_see_the_other_samples_of_its_batch():
    """With minibatch_std, D's logit for one digit depends on the others in its group (and so
    reacts when G's digits are too alike); without it, in eval mode, it does not."""
    x = numpy.random.RandomState(1).uniform(size=(8, 1, 28, 28)).astype(numpy.float32)
    labels = labels_for(8)
    changed = x.copy()
    changed[4] = 0                                     # in sample 0's group (0, 2, 4, 6)
    for minibatch_std, moves in ((0, False), (4, True)):
        numpy.random.seed(0)
        dis = Discriminator(ch=4, minibatch_std=minibatch_std)
        with eval_mode(), no_grad():
            before, after = dis(x, labels).array, dis(changed, labels).array
        assert (abs(before[0, 0] - after[0, 0]) > 1e-6) == moves, minibatch_std
        assert after[1, 0] == pytest.approx(before[1, 0], abs=1e-6)   # another group
    with pytest.raises(ValueError):
        Discriminator(minibatch_std=1)
    args = Discriminator(ch=4, minibatch_std=4).model_args()
    assert Discriminator(**args).model_args() == args
