"""The conditional GAN step: `dis_steps` Discriminator updates, then one Generator update."""
import chainer
import chainer.functions as F

LOSSES = ('nonsaturating', 'hinge')


def nonsaturating_dis_loss(y_real, y_fake, real_label=0.9):
    """-log D(x) - log(1 - D(G(z))) with D = sigmoid(y), written with softplus, which is
    log(1 + e^y) without overflow: -log(sigmoid(y)) = softplus(-y). `real_label` < 1 is
    one-sided label smoothing (Salimans et al. 2016): it keeps D from becoming
    over-confident on real digits, which steadies G's gradients."""
    loss_real = F.mean(real_label * F.softplus(-y_real)
                       + (1 - real_label) * F.softplus(y_real))
    return loss_real + F.mean(F.softplus(y_fake))


def nonsaturating_gen_loss(y_fake):
    return F.mean(F.softplus(-y_fake))        # -log D(G(z))


def hinge_dis_loss(y_real, y_fake):
    """mean(max(0, 1 - y_real)) + mean(max(0, 1 + y_fake)) (Lim & Ye 2017, SNGAN)."""
    return F.mean(F.relu(1 - y_real)) + F.mean(F.relu(1 + y_fake))


def hinge_gen_loss(y_fake):
    return -F.mean(y_fake)


def make_optimizer(model, alpha=2e-4, beta1=0.5):
    """Adam as in DCGAN (Radford et al. 2015): beta1 0.5 damps momentum, which steadies
    the two-player game."""
    optimizer = chainer.optimizers.Adam(alpha=alpha, beta1=beta1)
    optimizer.setup(model)
    return optimizer


class GANUpdater(chainer.training.updaters.StandardUpdater):
    """Optimizers are named 'gen' and 'dis'; losses are reported as gen/loss and dis/loss.

    loss: 'nonsaturating' (with label smoothing `real_label`) or 'hinge'.
    dis_steps: D updates per G update, each on its own batch (G trains on the last one).
    dis_warmup: the first iterations train D only (for a G started from trained weights).
    r1_gamma: weight of the R1 penalty, gamma/2 * E|grad_x D(x_real)|^2 (Mescheder et al.
    2018), which keeps D's gradients small on real digits; 0 for none. Reported as dis/r1.
    """

    r1_gamma = 0.0

    def __init__(self, *args, loss='nonsaturating', real_label=0.9, dis_steps=1,
                 dis_warmup=0, r1_gamma=0.0, **kwargs):
        self.gen, self.dis = kwargs.pop('models')
        if loss not in LOSSES:
            raise ValueError('loss must be one of %s' % ', '.join(LOSSES))
        self.loss = loss
        self.real_label = real_label
        self.dis_steps = dis_steps
        self.dis_warmup = dis_warmup
        self.r1_gamma = r1_gamma
        super().__init__(*args, **kwargs)

    def loss_dis(self, dis, y_real, y_fake, x_real=None):
        if self.loss == 'hinge':
            loss = hinge_dis_loss(y_real, y_fake)
        else:
            loss = nonsaturating_dis_loss(y_real, y_fake, self.real_label)
        if self.r1_gamma:
            penalty = r1_penalty(y_real, x_real)
            chainer.report({'r1': penalty}, dis)
            loss += 0.5 * self.r1_gamma * penalty
        chainer.report({'loss': loss}, dis)
        return loss

    def loss_gen(self, gen, y_fake):
        loss = hinge_gen_loss(y_fake) if self.loss == 'hinge' else nonsaturating_gen_loss(y_fake)
        chainer.report({'loss': loss}, gen)
        return loss

    def dis_step(self):
        """One D update on a new batch; returns D's output on the fakes (graph kept)."""
        iterator = self.get_iterator('main')
        # Images and labels both go to the models' device (labels index xp.eye there).
        x_real, labels = self.converter(iterator.next(), self.input_device)
        gen, dis = self.gen, self.dis
        z = gen.make_hidden(len(labels), gen.xp)
        x_fake = gen(gen.make_input(z, labels))
        if self.r1_gamma:                 # the penalty differentiates D with respect to x
            x_real = chainer.Variable(x_real)
        y_real = dis(x_real, labels)
        y_fake = dis(x_fake, labels)
        update_from(self.get_optimizer('dis'), self.loss_dis(dis, y_real, y_fake, x_real))
        return y_fake

    def update_core(self):
        for _ in range(self.dis_steps):
            y_fake = self.dis_step()
        if self.iteration >= self.dis_warmup:
            # The last fake batch trains G; its graph through D is reused (D's weights as
            # just updated in place, as `optimizer.update(lossfun)` would use them).
            update_from(self.get_optimizer('gen'), self.loss_gen(self.gen, y_fake))
        iterator = self.get_iterator('main')
        if self.auto_new_epoch and iterator.is_new_epoch:  # as StandardUpdater does
            for optimizer in self.get_all_optimizers().values():
                optimizer.new_epoch(auto=True)


def r1_penalty(y_real, x_real):
    """E|grad_x D(x)|^2 over the real batch, as a differentiable Variable (double backprop)."""
    grad, = chainer.grad([F.sum(y_real)], [x_real], enable_double_backprop=True)
    return F.mean(F.sum(grad * grad, axis=tuple(range(1, grad.ndim))))


def update_from(optimizer, loss):
    """`optimizer.update(lossfun)` for an already computed `loss`, with the backward pass
    limited to the paths that reach the optimizer's own parameters (chainer.grad).

    loss.backward() would also run D's loss back through all of G (x_fake is G's output)
    and G's loss into D's weight gradients, work whose results the other optimizer clears
    unused: 12-28 % of the step on the CPU (bench/train_bench.py, chainer-backward).
    The gradients, and so the updates, are the same."""
    params = list(optimizer.target.params())
    optimizer.target.cleargrads()
    chainer.grad([loss], params, set_grad=True, loss_scale=optimizer._loss_scale)
    optimizer.update()
