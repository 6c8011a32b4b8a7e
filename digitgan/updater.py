"""The conditional GAN step: one Discriminator update, then one Generator update, per batch."""
import chainer
import chainer.functions as F


class GANUpdater(chainer.training.updaters.StandardUpdater):
    """Optimizers are named 'gen' and 'dis'; losses are reported as gen/loss and dis/loss.

    Losses are the non-saturating GAN losses written with softplus, which is log(1 + e^x)
    computed without overflow: -log(sigmoid(y)) = softplus(-y).
    `real_label` < 1 is one-sided label smoothing (Salimans et al. 2016): it keeps D from
    becoming over-confident on real digits, which steadies G's gradients.
    """

    def __init__(self, *args, real_label=0.9, dis_warmup=0, **kwargs):
        self.gen, self.dis = kwargs.pop('models')
        self.real_label = real_label
        self.dis_warmup = dis_warmup      # first iterations that train D only
        super().__init__(*args, **kwargs)

    def loss_dis(self, dis, y_real, y_fake):
        smooth = self.real_label
        loss_real = F.mean(smooth * F.softplus(-y_real) + (1 - smooth) * F.softplus(y_real))
        loss = loss_real + F.mean(F.softplus(y_fake))
        chainer.report({'loss': loss}, dis)
        return loss

    def loss_gen(self, gen, y_fake):
        loss = F.mean(F.softplus(-y_fake))
        chainer.report({'loss': loss}, gen)
        return loss

    def update_core(self):
        gen_optimizer = self.get_optimizer('gen')
        dis_optimizer = self.get_optimizer('dis')
        iterator = self.get_iterator('main')
        batch = iterator.next()
        # Images and labels both go to the models' device (labels index xp.eye there).
        x_real, labels = self.converter(batch, self.input_device)
        gen, dis = self.gen, self.dis
        xp = gen.xp

        z = gen.make_hidden(len(labels), xp)
        x_fake = gen(gen.make_input(z, labels))
        y_real = dis(x_real, labels)
        y_fake = dis(x_fake, labels)

        update_from(dis_optimizer, self.loss_dis(dis, y_real, y_fake))
        # The same fake batch trains G; its graph through D is reused (D's weights as just
        # updated in place, as `optimizer.update(lossfun)` would use them).
        if self.iteration >= self.dis_warmup:
            update_from(gen_optimizer, self.loss_gen(gen, y_fake))
        if self.auto_new_epoch and iterator.is_new_epoch:  # as StandardUpdater does
            gen_optimizer.new_epoch(auto=True)
            dis_optimizer.new_epoch(auto=True)


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
