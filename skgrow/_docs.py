"""Docstring sections shared by the two estimators (written once, composed per class)."""

LOSS = """\
    loss : {'squared_error', 'poisson'}, default='squared_error'
        Loss minimised by the regressor: half the squared error, or half the
        Poisson deviance with an exponential output (which needs ``y >= 0``).
        With 'poisson', a growing network's output bias starts at the log of
        the mean target of the rows of its first fit or ``partial_fit`` call,
        the best constant prediction, where that mean is above 1: a network
        that starts with few neurons predicts with its bias at first.
"""

PARAMETERS = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Capacity of each hidden layer: the most neurons it can grow to. The
        size it reaches is ``hidden_layer_sizes_``.

    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation of the hidden neurons: ``x``, ``1 / (1 + exp(-x))``,
        ``tanh(x)`` or ``max(0, x)``.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        Optimiser of the weights (and of the size variables with
        ``size_learning_rate=None``): quasi-Newton L-BFGS on the whole data,
        stochastic gradient descent, or Adam. L-BFGS, a full-batch method
        with no steps to pace growth by, holds each layer at its target from
        the first iteration (new neurons entering as ``new_neurons`` says),
        unless ``size_learning_rate=None``: then it optimises the size
        variables with the weights, within their bounds, as in the papers.

    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights, divided by the sample
        count (weight sum) of each batch as in sklearn. It covers the
        weights of active neurons only.

    batch_size : int or 'auto', default='auto'
        Mini-batch size of the stochastic solvers; 'auto' is
        ``min(200, n_samples)``. Ignored by 'lbfgs'.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule of 'sgd': constant, ``learning_rate_init / t **
        power_t`` with ``t`` the samples seen, or divided by 5 each time
        ``n_iter_no_change`` epochs fail to improve by ``tol``.

    learning_rate_init : float, default=0.001
        Initial step size of 'sgd' and 'adam'.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Most epochs of 'sgd' and 'adam' (passes over the data), or most
        iterations of 'lbfgs'.

    shuffle : bool, default=True
        Whether to reshuffle the samples every epoch ('sgd', 'adam').

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the early-stopping
        split. An int gives the same model on every CPU fit; None draws
        fresh entropy (numpy's global random state is never used).

    tol : float, default=1e-4
        Training stops when the loss (or validation score) has not improved
        by ``tol`` for ``n_iter_no_change`` consecutive epochs.

    verbose : bool, default=False
        Print the loss (and layer sizes) after every epoch; with
        ``target_size='auto'``, each judged stage too: its widths, its
        held-out loss as a share of the baseline, whether it was kept, and
        the widths that follow.

    warm_start : bool, default=False
        Continue from the fitted weights and sizes on the next ``fit``. After
        a stochastic fit that was interrupted (Ctrl-C, or an exception raised
        during an epoch), a ``fit`` with ``warm_start=True`` on the same data
        and parameters resumes it at the end of its last whole epoch and ends
        as the uninterrupted fit would have, bit for bit.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with 'sgd'.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        score stops improving, and restore the weights and sizes of the best
        epoch. A ``ValueError`` says so where the held-out rows, or the rows
        left to train on, all have ``sample_weight`` 0.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Epochs without ``tol`` improvement before stopping.

    max_fun : int, default=15000
        Most loss evaluations of 'lbfgs', over the whole fit (with
        ``target_size='auto'``, shared by its rounds, as ``max_iter`` is).

    growth : {'auxiliary', 'controller', 'none'}, default='auxiliary'
        How the hidden layers grow. Each hidden layer of capacity ``N`` has
        one trainable size variable, fed to the layer as one extra input
        column and moved by gradient steps on the loss: the size loss pulls it
        to its target and, unless ``size_gradient`` or self-sizing says
        otherwise, the task loss acts on it too; ``size_learning_rate`` sets
        the pace.

        - 'auxiliary' (method A): an auxiliary weight ``S`` counts the
          active neurons; neuron ``m`` has gate ``theta(S - m + 1)`` with the
          smooth step ``theta(n) = sin(pi n / 2) ** 2`` on [0, 1]. The size
          loss is ``size_penalty * (S - S_target) ** 2``.
        - 'controller' (method B): a control ``c`` sets the active fraction
          ``f = sin(pi c / 2) ** 2``; with ``k = f N`` the first ``floor(k)``
          neurons are on and the next has gate ``k - floor(k)``. The size
          loss is ``size_penalty * (c - c_target) ** 2``.
        - 'none': the static network of the same capacity, every neuron on.

        The default was chosen by measurement (see Notes).

    size_penalty : float, default=1.0
        Coefficient of the size loss, which pulls each layer to its target
        size. It sets how firmly a layer is held there against the task loss;
        with a numeric ``size_learning_rate`` the speed of growth does not
        depend on it.

    initial_size : float or array-like of shape (n_layers - 2,), default=0.0
        Neurons each hidden layer starts with (a fraction starts a neuron
        partly on); 0 starts empty. Ignored when ``growth='none'``.

    target_size : float, array-like of shape (n_layers - 2,), 'auto' or None, default=None
        Size, in neurons, that the size loss pulls each layer to; None means
        the capacity. 'auto' lets the data decide: the layers double, from 4
        neurons, while doubling lowers the loss on held-out rows by more than
        ``size_tol``, and go back to the last width that paid when it does
        not (see Notes). Self-sizing shares ``max_iter`` between its stages:
        on small data give it about a thousand epochs. Ignored when
        ``growth='none'``.

    size_learning_rate : 'auto', float or None, default='auto'
        How fast the size variables move. A number ``r``: each step moves a
        layer that share of the way to its target (a gradient step on the
        whole loss, scaled by the size loss's curvature, of at most ``r`` of
        the capacity), whatever the capacity. 'auto' paces growth by the fit's
        budget: ``r = min(1, 3 / (planned_steps / 2))``, with ``planned_steps``
        the optimiser steps of ``max_iter`` epochs, so a layer is nearly grown
        (95 %) after half of them, however few; with
        ``partial_fit`` and ``target_size='auto'``, whose stages set their own
        length, ``r = 0.1``. None: the papers' rule, the size variables are
        stepped by the solver with ``learning_rate_init``, like the weights
        (with Adam a layer then grows by about ``learning_rate_init`` of its
        capacity per step; with 'sgd' method A's step is gradient descent on
        ``S`` in neurons, as in the paper).

    new_neurons : {'fitted', 'random'}, default='fitted'
        How a neuron that becomes active for the first time starts. 'fitted':
        in the last hidden layer its outgoing weights are the ridge
        least-squares fit of the current batch's residual (a Gauss-Newton
        step for the log-loss), so it helps at once; in earlier layers, in
        every layer with ``loss='poisson'`` (whose curvature is unbounded),
        and on a batch of fewer than 16 rows that is not all of a fit's rows
        (whose residual is noise), those towards the neurons the next layer
        already has start at zero, so it does no harm; so do those of a new
        neuron of the last of two or more hidden layers that is active on
        fewer than 16 rows (of weight above 0) of its batch. 'random': it
        keeps its initial random weights, as in the papers. Incoming weights
        stay as drawn.

    weight_init : {'glorot', 'fan_in', 'unit'}, default='glorot'
        How initial weights and biases are drawn, uniform in ``[-b, b]``.
        'glorot': sklearn's, ``b = sqrt(6 / (fan_in + fan_out))`` (2 instead
        of 6 for 'logistic'), the same draws as sklearn's MLPs for a static
        network. 'fan_in': ``b = 1 / sqrt(fan_in)``, torch's ``nn.Linear``
        default and the papers' method-B code. 'unit': ``b = 1``, the papers'
        method-A notebook. An advanced option, for reproducing those setups.

    size_input : {'fraction', 'neurons'}, default='fraction'
        What the size input, the extra input column of each growing layer,
        carries. 'fraction': the size variable on its [0, 1] scale (the share
        of the capacity for method A, the control ``c`` for method B).
        'neurons': for ``growth='auxiliary'`` only, the size ``S`` in neurons,
        as in the papers' method-A notebook (the input and its weights then
        scale with the capacity). An advanced option, for reproducing it.

    size_gradient : {'whole', 'size_loss'}, default='whole'
        What moves the size variables. 'whole': the gradient of the whole
        loss, task and size terms, as in the papers. 'size_loss': the size
        loss alone, as in the authors' released method-B code, where a layer
        then grows on a fixed schedule whatever the data (an ablation;
        stochastic solvers only). With ``target_size='auto'`` and a numeric
        or 'auto' ``size_learning_rate``, the size loss alone moves them
        either way.

    shared_size : bool, default=False
        One size variable for the whole network instead of one per hidden
        layer: every layer holds the same share of its capacity, moved by the
        sum of the layers' gradients, with the size loss counted once (the
        authors' method-B code has one controller for the network). The
        layers must have equal capacities, initial and target sizes;
        ``target_size='auto'`` sizes layers apart and is refused. An advanced
        option, for the ablation of one controller against one per layer.

    size_tol : float, default=0.005
        With ``target_size='auto'``: the least decrease of the held-out loss
        (the squared error; for classifiers, of the predicted probabilities)
        that doubling the layers must bring, as a fraction of the baseline
        loss (that of the best constant prediction of the held-out rows: their
        mean or class shares): points of R^2, for classifiers on the one-hot
        targets. Each of the ``n`` neurons a doubling adds to a layer of ``n``
        must lower the loss by ``size_tol / n`` of the baseline, so a stage
        two doublings past the last kept one must gain ``2 * size_tol``.
        Larger values give smaller networks.

    device : {'cpu', 'cuda', 'auto'}, default='cpu'
        Where to train and predict; 'auto' takes a GPU when torch sees one.

    dtype : {'float32', 'float64'}, default='float32'
        Precision of training. ``coefs_`` and ``intercepts_`` take the
        precision of the training X, as in sklearn (float32 X: float32
        weights); predictions are computed in float64 from them and returned
        as sklearn returns them (float32 where X and the weights are).

    progress_bar : bool, default=False
        Show a progress bar with the epoch, loss and layer sizes (needs
        ``tqdm``: ``pip install skgrow[progress]``).
"""

ATTRIBUTES = """\
    loss_ : float
        The loss after the last epoch, as sklearn's MLPs report it: the data
        loss plus the L2 term (the size loss is in ``size_loss_curve_``).

    best_loss_ : float or None
        Lowest ``loss_`` reached; None with early stopping ('sgd', 'adam').

    loss_curve_ : list of float
        ``loss_`` after every epoch (after every iteration with 'lbfgs').
        Where training diverged, the last entry is that epoch's non-finite
        loss; the model keeps the weights of the epoch before, and ``loss_``
        is that epoch's loss.

    size_loss_curve_ : list of float
        The size loss after every epoch, on the same batches as ``loss_curve_``.

    size_stages_ : list of tuple or None
        With ``target_size='auto'``: one ``(widths, held_out_loss, kept)`` per
        stage judged so far, the widths of its layers, its best held-out loss
        as a share of the baseline loss (nan where the held-out targets are
        all alike: there is no baseline to scale by), and whether the stage
        was kept (its doubling paid; the fit ends at the last kept stage);
        None otherwise.

    size_curve_ : list of tuple of float
        Continuous size of every hidden layer, in neurons, after every epoch
        (fractional neuron included); ``np.asarray(size_curve_)`` has shape
        (n_epochs, n_layers - 2).

    hidden_layer_sizes_ : tuple of int
        Neurons with a non-zero gate in each hidden layer: the width of the
        equivalent static network. Never larger than ``hidden_layer_sizes``.

    validation_scores_ : list of float or None
        Score on the held-out data after every epoch with early stopping.

    best_validation_score_ : float or None
        Best of ``validation_scores_``, the score of the weights the model
        returns. With ``target_size='auto'``, of those since the widths were
        decided (the stages' networks that were not kept may have scored
        higher); when ``max_iter`` ends before they are, the model returns
        the kept stage's weights instead, and this is the best of the fit.

    validation_loss_curve_ : list of float or None
        Loss of the outputs on the held-out data (no L2 or size term) after
        every epoch with early stopping; None without it.

    t_ : int
        Training samples seen by the stochastic solver.

    coefs_ : list of ndarray
        Weight matrices of the equivalent static network, ``coefs_[i]`` of
        shape (fan_in, fan_out): the gates are folded into the next layer's
        weights, the size input into the biases, and inactive neurons are
        dropped. ``predict`` computes with these.

    intercepts_ : list of ndarray
        Bias vectors of the equivalent static network.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of the features seen during fit, when they are all strings.

    n_iter_ : int
        Epochs (or L-BFGS iterations) run by the last call to fit.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of outputs.

    out_activation_ : str
        Output activation: 'identity', 'exp', 'logistic' or 'softmax'.
"""

NOTES = """\
    Notes
    -----
    **Mapping to the papers.** skgrow trains one size variable ``z`` per
    layer on a capacity scale. For 'auxiliary', ``z = S / N`` and the extra
    input column carries ``z`` (the paper feeds ``S``: the same network with
    that column's weights scaled by ``N``). For 'controller', ``z`` is the
    paper's ``c`` exactly. Method A's setup is ``solver='sgd', momentum=0,
    learning_rate_init=1e-3, size_penalty=0.1, hidden_layer_sizes=(9,),
    target_size=5, activation='tanh', alpha=0`` with full batches, growing
    from ``initial_size=0`` against the same network started at
    ``initial_size=5``. Method B's setup is ``solver='adam',
    size_penalty=0.32, activation='tanh', alpha=0`` with full batches,
    against ``growth='none'``.

    **Growth by default.** With the defaults ``size_learning_rate='auto'``
    and ``new_neurons='fitted'`` a layer grows over the first half of the
    fit's budget, however short, and each neuron joins the
    last hidden layer with outgoing weights fitted to the residual (on a
    batch of 16 rows or more, and in a deeper network if it is active on
    16 of them; ``new_neurons``): a short fit grows within its
    first epochs and scores like sklearn's MLP (``docs/results.md``,
    "budgets"), a long one grows slowly, which on the papers' long
    full-batch runs buys a lower error than the static network's
    (``docs/pace.md`` measures the trade-off).
    The papers' own dynamics are ``size_learning_rate=None,
    new_neurons='random'``. ``benchmarks/bench_defaults.py`` compares the
    growth methods and size penalties (``docs/defaults.md``).

    **The objective.** With ``size_learning_rate=None`` the size variables
    receive the gradient of the whole loss (task loss + size loss), as in
    the papers; with a number they take a gradient step of the whole loss
    scaled by the size loss's curvature (with ``target_size='auto'``, of
    the size loss alone: the held-out comparisons decide the widths). After
    every step each size variable is kept between an empty and a full layer
    (with L-BFGS and ``size_learning_rate=None``, as bounds; otherwise L-BFGS
    holds them at the targets, with 'auto' at the stage's widths).
    ``loss_``, ``loss_curve_``, ``best_loss_`` and the stopping rule
    (``tol``, ``n_iter_no_change``) use sklearn's loss (data loss + L2
    term); an epoch in which a layer gained neurons it never had, moved
    towards its target, or in which 'auto' was still deciding, does not
    count as an epoch without improvement. Growth paced by a numeric or
    'auto' ``size_learning_rate`` does not outlast training: once the loss
    (or, with ``early_stopping``, the validation score) has not improved by
    ``tol`` for ``n_iter_no_change`` epochs, counted as sklearn counts them,
    the layers head from then on for their targets on the size loss alone,
    at least a tenth of the way per step (nearly there in 30 steps), and the
    rule counts afresh from then on: a layer the task gradient held back
    grows instead of the fit ending (the papers' rule, ``None``, keeps its
    own pace). The L2 term covers the weights of active neurons. The
    objective sums the squared error over outputs (sklearn reports its mean;
    the gradients are the same).

    **Self-sizing** (``target_size='auto'``). The first stage trains every
    layer at 4 neurons (or ``initial_size``) for 200 steps, each later one
    at twice the last until training at that width improves the held-out
    loss by less than a fifth of ``size_tol`` over 3 epochs (after at least
    200 steps); a stage ends sooner when its share of ``max_iter`` is spent.
    The held-out loss is the squared error, of the predicted probabilities
    for classifiers (the Brier score, which follows accuracy where the
    log-loss of a wider, more confident network rises). A stage is kept
    when it lowers the held-out loss of the kept stage by more than
    ``size_tol`` for each doubling since that stage; when its gain
    falls short but within one standard error over the held-out rows
    (paired), the evidence is unclear and the layers double again without it
    being kept; so they do once when the first doubling stalls (no better than
    the first stage, its held-out loss moved by less than ``size_tol`` over
    its epochs). Growth stops at the first doubling that clearly did not pay,
    or at the capacity, and the network goes back to the kept stage's widths
    and weights (those of its best held-out epoch). The
    held-out rows are ``validation_fraction`` of the training data, and on
    small data more, up to 100 rows or a quarter of them (with
    ``early_stopping=True``, its validation set); they join training once
    the widths are decided, and training at those widths goes on for 200
    steps (4 epochs at least, a stage's share of ``max_iter`` at most; the
    stopping rule, started afresh, may end it sooner; a ``warm_start`` fit
    trains on). With 'lbfgs' each stage is a round of at most 100
    iterations; a doubled stage whose round stops within 5, as when the
    narrower network fits the training rows nearly exactly and leaves the new
    neurons nothing to learn from, runs a second round from weights drawn
    afresh while iterations are left, and is judged on the round with the
    lower held-out loss.
    When ``max_iter`` (or 'lbfgs''s ``max_fun``) ends before the widths are
    decided, the stage under way is judged on the epochs it had (if its
    layers reached its widths) and the fit ends at the kept stage, its widths
    and its best held-out weights, with a ``ConvergenceWarning``. Without
    early stopping, rows of weight 0 are never held out. A fit of fewer than
    four rows of weight above 0 gives each layer its whole capacity; a
    ``partial_fit`` call of fewer trains at the current stage's widths and
    leaves the judging to later calls. Where the held-out targets of weight
    above 0 are all alike (a constant target), no doubling pays and the
    first stage is kept.
    Every hidden layer doubles at once.

    **Export.** ``to_sklearn()`` returns a fitted sklearn MLP with the grown
    width and the same predictions; ``to_torch()`` a ``torch.nn.Sequential``.
"""


def estimator_docstring(summary: str, parameters: str, see_also: str, examples: str) -> str:
    """numpydoc docstring of an estimator from its own parts and the shared ones."""
    return (
        f"{summary}\n\n"
        "    Parameters\n    ----------\n"
        f"{parameters}\n"
        "    Attributes\n    ----------\n"
        f"{ATTRIBUTES}\n"
        "    See Also\n    --------\n"
        f"{see_also}\n"
        f"{NOTES}\n"
        "    Examples\n    --------\n"
        f"{examples}"
    )
