import ArgumentParser
import CohortCore
import CohortData
import CohortDistributed
import CohortModels
import CohortTraining
import Foundation

/// `cohort train`: trains a zoo model on an IDX directory or an ImageFolder, on one process or under mpirun/srun.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model (one process, or every rank under mpirun/srun).",
        discussion: "--batch-size is the global batch: with W ranks each processes about B/W samples per step (slices differ by at most one).")

    @Option(help: "Zoo model name (see `cohort models`).") var model = "fashion-cnn"
    @OptionGroup var data: DataOptions
    @Option(help: "Epochs to train.") var epochs = 1
    @Option(name: .customLong("batch-size"), help: "Global batch size (split over the ranks; slices differ by at most one sample).") var batchSize = 32
    @Option(help: "Micro-batches per optimizer step: gradients add up, one allreduce per step; the effective batch is --batch-size × N.") var accumulate = 1
    @Option(help: "Base learning rate.") var lr = 0.01
    @Option(name: .customLong("lr-scaling"), help: "linear: --lr × (--batch-size × --accumulate) / --reference-batch, before warmup.") var lrScaling = LearningRateScaling.none
    @Option(name: .customLong("reference-batch"), help: "The batch --lr is given for, with --lr-scaling linear.") var referenceBatch = 256
    @Option(name: .customLong("trust-coefficient"), help: "LARS's trust coefficient η.") var trustCoefficient = 0.001
    @Option(help: "Power of the poly schedule.") var power = 2.0
    @Option(help: "Momentum of SGD and LARS.") var momentum = 0.0
    @Flag(help: "Nesterov momentum.") var nesterov = false
    @Option(name: .customLong("weight-decay"), help: "L2 weight decay (AdamW: decoupled); biases and BatchNorm exempt.") var weightDecay = 0.0
    @Option(help: "Optimizer.") var optimizer = TrainingConfiguration.OptimizerKind.sgd
    @Option(help: "Learning-rate schedule.") var schedule = ScheduleName.constant
    @Option(name: .customLong("step-size"), help: "Epochs between decays of the step schedule.") var stepSize = 30
    @Option(help: "Decay factor of the step schedule.") var gamma = 0.1
    @Option(name: .customLong("warmup-epochs"), help: "Linear warmup epochs.") var warmupEpochs = 0.0
    @Option(name: .customLong("label-smoothing"), help: "Label smoothing ε.") var labelSmoothing = 0.0
    @Option(help: "Augmentations: any of flip,shift,rotate,crop (comma separated).") var augment = ""
    @Option(help: "Largest shift as a fraction of the size.") var shift = 0.1
    @Option(help: "Largest rotation in degrees.") var rotate = 15.0
    @Option(help: "Random seed: weights, sample order, augmentation, dropout.") var seed: UInt64 = 0
    @Option(name: .customLong("checkpoint-dir"), help: "Directory for checkpoints, metrics log and curves.") var checkpointDir: String?
    @Option(help: "auto (newest valid checkpoint in --checkpoint-dir) or a checkpoint path.") var resume: String?
    @Option(name: .customLong("init-from"), help: "Start a new run from these weights: a Cohort checkpoint or a plain safetensors state dict (Cohort's names; torchvision's for ResNets). A classifier of another class count is re-initialized. Ignored when --resume finds a checkpoint.") var initFrom: String?
    @Option(name: .customLong("init-strict"), help: "With --init-from: tensors missing from the file, or in the file but not in the model, are errors (false: keep initialization / ignore them).") var initStrict = true
    @Option(help: "Freeze parameters whose names start with these prefixes (comma separated, e.g. conv1,bn1,layer1): no gradients, optimizer state or allreduce traffic; their BatchNorm uses running statistics.") var freeze = ""
    @Option(name: .customLong("lr-head-multiplier"), help: "Learning rate of the classifier (the model's last layer) relative to the rest.") var lrHeadMultiplier = 1.0
    @Flag(name: .customLong("save-best"), help: "Keep best.safetensors (highest validation accuracy).") var saveBest = false
    @Option(help: "Epoch checkpoints to keep, and step checkpoints to keep.") var keep = 3
    @Option(name: .customLong("checkpoint-every"), help: "Also checkpoint every N global steps, mid-epoch (written in the background).") var checkpointEvery: Int?
    @Option(name: .customLong("checkpoint-minutes"), help: "Also checkpoint when M minutes passed since the last checkpoint.") var checkpointMinutes: Double?
    @Option(name: .customLong("log-seconds"), help: "Seconds between progress lines when stdout is not a terminal.") var logSeconds = 30.0
    @Option(name: .customLong("log-every"), help: "Also append a step record to the metrics log every N global steps.") var logEvery: Int?
    @Option(name: .customLong("early-stop"), help: "Stop after this many epochs without accuracy improvement.") var earlyStop: Int?
    @Option(name: .customLong("max-steps"), help: "Stop after this many global steps (saves last).") var maxSteps: Int?
    @Option(help: "JSON-lines metrics log (default: metrics.jsonl in --checkpoint-dir).") var log: String?
    @Option(help: "Directory for TensorBoard event files (scalars per epoch).") var tensorboard: String?
    @Option(name: .customLong("tensorboard-every"), help: "Also log the batch loss and accuracy every N steps.") var tensorboardEvery: Int?
    @Option(name: .customLong("bucket-mb"), help: "Gradient allreduce bucket size in MB.") var bucketMB = 25.0
    @Flag(name: .customLong("sync-bn"), help: "BatchNorm statistics over the global batch (all ranks), not each rank's slice.") var syncBN = false
    @Option(help: "Convolution algorithm: automatic (Winograd on 3x3 and 5x5 stride-1 layers; 3x3 with F(4x4) tiles where they need fewer multiplications), winograd2x2 (F(2x2, 3x3) tiles only, 5x5 by im2col: slower, rounds least, so ranks and threads agree most closely over many steps) or im2col.") var conv = Conv2D.Algorithm.automatic
    @Option(name: .customLong("allreduce-dtype"), help: "Width gradients travel at: fp32, or bf16/fp16 (half the bytes, summed in float32) for slow networks.") var allreduceDType = AllreduceDType.fp32
    @Flag(name: .customLong("no-overlap"), help: "Reduce gradients after backward instead of overlapping.") var noOverlap = false
    @Option(name: .customLong("stall-timeout"), help: "Seconds a collective may wait before the job is aborted (default 10× median step, ≥ 60).") var stallTimeout: Double?
    @Option(help: "Threads per rank (default: the CPUs the launcher bound the rank to, else cores per node / ranks per node).") var threads: Int?
    @Option(help: "Write a Chrome trace-event JSON of every rank's steps to FILE (Perfetto, chrome://tracing).") var trace: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1 (got \(epochs))") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive (got \(lr))") }
        guard accumulate >= 1 else { throw ValidationError("--accumulate must be at least 1 (got \(accumulate))") }
        guard referenceBatch >= 1 else { throw ValidationError("--reference-batch must be at least 1 (got \(referenceBatch))") }
        guard trustCoefficient > 0, trustCoefficient.isFinite else { throw ValidationError("--trust-coefficient must be positive (got \(trustCoefficient))") }
        guard power > 0, power.isFinite else { throw ValidationError("--power must be positive (got \(power))") }
        if let tensorboardEvery, tensorboardEvery < 1 { throw ValidationError("--tensorboard-every must be at least 1 (got \(tensorboardEvery))") }
        if tensorboardEvery != nil && tensorboard == nil { throw ValidationError("--tensorboard-every needs --tensorboard DIR") }
        guard bucketMB > 0 else { throw ValidationError("--bucket-mb must be positive (got \(bucketMB))") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        if resume == "auto" && checkpointDir == nil { throw ValidationError("--resume auto needs --checkpoint-dir") }
        if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1 (got \(checkpointEvery))") }
        if let checkpointMinutes, !(checkpointMinutes > 0) { throw ValidationError("--checkpoint-minutes must be positive (got \(checkpointMinutes))") }
        if (checkpointEvery != nil || checkpointMinutes != nil) && checkpointDir == nil {
            throw ValidationError("--checkpoint-every and --checkpoint-minutes need --checkpoint-dir")
        }
        guard logSeconds > 0 else { throw ValidationError("--log-seconds must be positive (got \(logSeconds))") }
        if let logEvery, logEvery < 1 { throw ValidationError("--log-every must be at least 1 (got \(logEvery))") }
        guard lrHeadMultiplier > 0, lrHeadMultiplier.isFinite else { throw ValidationError("--lr-head-multiplier must be positive (got \(lrHeadMultiplier))") }
        if let initFrom, !FileManager.default.isReadableFile(atPath: initFrom) { throw ValidationError("--init-from \(initFrom): no such readable file") }
        _ = try ModelZoo.entry(named: model)
        _ = try Augmentation.parse(augment, shift: shift, rotate: rotate)
    }

    func run() throws {
        StopSignal.install()
        try DistributedRun.run(stallTimeout: stallTimeout, threads: threads) { communicator, threadCount in
            let entry = try ModelZoo.entry(named: model)
            let splits = try data.open(for: entry)
            let network = try ModelZoo.network(named: model, classes: splits.train.classNames.count,
                                               input: Shape([splits.train.imageShape.channels, splits.train.imageShape.height, splits.train.imageShape.width]),
                                               convolution: conv, frozen: frozenPrefixes)
            let configuration = try makeConfiguration(threads: threadCount)
            var callbacks: [any TrainingCallback] = [ProgressReporter(logSeconds: logSeconds)]
            let logPath = log ?? checkpointDir.map { $0 + "/metrics.jsonl" }
            if let checkpointDir {
                try FileManager.default.createDirectory(atPath: checkpointDir, withIntermediateDirectories: true)
                callbacks.append(CurvesPlot(path: checkpointDir + "/curves.svg"))
            }
            if let logPath { callbacks.append(MetricsLog(path: logPath, stepInterval: logEvery)) }
            if let tensorboard, communicator.rank == 0 { callbacks.append(try TensorBoardLog(directory: tensorboard, batchInterval: tensorboardEvery)) }
            let trainer = try Trainer(configuration: configuration, network: network, data: splits, communicator: communicator, callbacks: callbacks)
            let layout = try RankLayout.gather(communicator)
            if communicator.rank == 0 {
                Console.line("cohort \(CohortVersion.string): \(model) \(network.inputShape) → \(network.outputShape.count) classes, "
                      + "\(network.arena.trainableCount) parameters\(frozenPrefixes.isEmpty ? "" : " trainable (\(frozenCount(network)) frozen)"); \(communicator.size) rank(s) × \(threadCount) thread(s); "
                      + "train \(splits.train.count), validation \(splits.validation?.count ?? 0), test \(splits.test?.count ?? 0)")
                if lrScaling == .linear {
                    Console.line("learning rate: \(lr) × \(configuration.effectiveBatch)/\(referenceBatch) = \(configuration.learningRate) (--lr-scaling linear)")
                }
                Console.line("layout: \(layout.description) × \(threadCount) thread(s); OpenBLAS \(BLASCore.description) kernels; CPU \(BLASCore.cpuVectorISA)")
                splits.warnings.forEach { DistributedRun.printError("cohort: warning: \($0)") }
            }
            TraceFile.start(trace, rank: communicator.rank)
            let result = try trainer.run(resume: resume)
            try TraceFile.finish(trace, communicator: communicator)
            if communicator.rank == 0 {
                if let test = result.test { Console.line(String(format: "test accuracy: %.4f", test.accuracy)) }
                if let checkpointDir {
                    Console.line("checkpoint: \(checkpointDir)/last.safetensors")
                    Console.line("curves: \(checkpointDir)/curves.svg")
                }
                if let logPath { Console.line("metrics log: \(logPath)") }
            }
            return result.ending == .signalled ? StopSignal.exitStatus : 0
        }
    }

    func makeConfiguration(threads: Int) throws -> TrainingConfiguration {
        var c = TrainingConfiguration(model: model)
        c.epochs = epochs
        c.globalBatch = batchSize
        c.accumulate = accumulate
        c.learningRate = lrScaling == .linear ? lr * Double(c.effectiveBatch) / Double(referenceBatch) : lr
        c.trustCoefficient = trustCoefficient
        c.momentum = momentum
        c.nesterov = nesterov
        c.weightDecay = weightDecay
        c.optimizer = optimizer
        switch schedule {
        case .constant: c.schedule = .constant
        case .step: c.schedule = .step(every: stepSize, gamma: gamma)
        case .cosine: c.schedule = .cosine(epochs: epochs, minimum: 0)
        case .poly: c.schedule = .poly(epochs: epochs, power: power)
        case .plateau: c.plateau = ReduceOnPlateau()
        }
        c.warmupEpochs = warmupEpochs
        c.labelSmoothing = labelSmoothing
        c.augmentation = try Augmentation.parse(augment, shift: shift, rotate: rotate)
        c.seed = seed
        c.checkpointDirectory = checkpointDir
        c.keep = keep
        c.checkpointEverySteps = checkpointEvery
        c.checkpointMinutes = checkpointMinutes
        c.saveBest = saveBest
        c.earlyStopPatience = earlyStop
        c.maxSteps = maxSteps
        c.bucketBytes = Int(bucketMB * 1_048_576)
        c.overlapCommunication = !noOverlap
        c.synchronizeBatchNorm = syncBN
        c.allreduceFormat = allreduceDType.halfPrecision
        c.threads = threads
        c.initFrom = initFrom
        c.initStrict = initStrict
        c.frozen = frozenPrefixes
        c.convolution = conv
        c.headLearningRateMultiplier = lrHeadMultiplier
        return c
    }

    /// The `--freeze` prefixes.
    var frozenPrefixes: [String] { freeze.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    /// Scalars of the frozen parameters.
    private func frozenCount(_ network: Network) -> Int { network.arena.buffers.filter { $0.parameter.isFrozen }.reduce(0) { $0 + $1.parameter.count } }
}
