// URL parameters of the transfer lab (panel=transfer). Named apart from the Train panel's: `experiment` is this
// panel's view (the Train panel's `view` keeps its own values), `ft_lr` the fine-tuning learning rate (the Train
// panel's `lr` trains from scratch). The numbers of the experiment itself (data sets, step budgets, the other
// learning rates, the longer schedule) come from the core's transfer_plan(); the defaults here are the plan's (its
// default model, that model's default k, the fine-tuning rate, the repeats, the init view's target), which
// tests/e2e/transfer-plan.test.mjs checks. `seed` is shared with every panel.

export const PARAMS = {
  // quadrants: the 2×2 grid, every strategy per quadrant; init: pretrained vs random vs mean-var on one target;
  // own: the person's own classes.
  experiment: { type: 'enum', values: ['quadrants', 'init', 'own'], default: 'quadrants', panels: ['transfer'] },
  // The zoo model (www/zoo/manifest.json); the page checks the name against the manifest it fetched.
  zoo: { type: 'enum', values: ['small', 'deep', 'small_bn'], default: 'small', panels: ['transfer'] },
  // What a frozen BatchNorm layer does while the rest trains (the core's BnStats; only small_bn has BatchNorm, only
  // freeze_k and head freeze): its source statistics, or each target batch's.
  bn_stats: { type: 'enum', core: 'bn_stats', default: 'frozen', panels: ['transfer'] },
  // The strategy of the own-classes experiment (the quadrants run all of them).
  strategy: { type: 'enum', core: 'strategy', default: 'head', panels: ['transfer'] },
  // freeze_k freezes the first k layers with parameters (conv and dense, as Trainer.freeze_first counts); the core
  // refuses a k beyond the model's depth (the limit here is the core's most layers).
  k: { type: 'int', core: 'k', default: 1, panels: ['transfer'] },
  // The init view's target.
  size: { type: 'enum', values: ['small', 'large'], default: 'large', panels: ['transfer'] },
  similarity: { type: 'enum', values: ['similar', 'different'], default: 'similar', panels: ['transfer'] },
  repeats: { type: 'int', core: 'repeats', default: 8, panels: ['transfer'] },
  ft_lr: { type: 'float', core: 'ft_lr', default: 0.005, panels: ['transfer'] },
  // The init view's step budget: the plan's, or its longer schedule (He et al.: random init catches up given enough
  // steps).
  budget: { type: 'enum', values: ['normal', 'long'], default: 'normal', panels: ['transfer'] },
};
