import ArgumentParser
import CohortCore
import CohortModels
import CohortTraining
import Foundation

extension Conv2D.Algorithm: ExpressibleByArgument {}

/// `cohort bench`: steady-state training img/s of a zoo model on synthetic data, per rank and in total,
/// with the step split and GFLOP/s next to the same process's sgemm. Works alone or under mpirun.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure training throughput of a zoo model on synthetic data.")

    @Option(help: "Zoo model name (see `cohort models`).") var model = "fashion-cnn"
    @Option(name: .customLong("batch-size"), help: "Global batch size (split over the ranks; slices differ by at most one sample).") var batchSize = 32
    @Option(name: .customLong("image-size"), help: "Square input size (default: the model's own).") var imageSize: Int?
    @Option(help: "Number of classes (default: the model's own).") var classes: Int?
    @Option(help: "Timed steps per window (after warm-up).") var steps = 20
    @Option(help: "Timed windows of --steps steps; img/s is the median window's.") var windows = 1
    @Option(help: "Warm-up steps, not timed.") var warmup = 3
    @Option(name: .customLong("bucket-mb"), help: "Gradient allreduce bucket size in MB.") var bucketMB = 25.0
    @Option(name: .customLong("allreduce-dtype"), help: "Width gradients travel at: fp32, bf16 or fp16.") var allreduceDType = AllreduceDType.fp32
    @Flag(name: .customLong("no-overlap"), help: "Reduce gradients after backward instead of overlapping.") var noOverlap = false
    @Option(help: "Threads per rank (default: the CPUs the launcher bound the rank to, else cores per node / ranks per node).") var threads: Int?
    @Option(help: "Convolution algorithm: automatic (Winograd on 3x3 and 5x5 stride-1 layers; 3x3 with F(4x4) tiles where they need fewer multiplications), winograd2x2 (F(2x2, 3x3) tiles only, 5x5 by im2col) or im2col.") var conv = Conv2D.Algorithm.automatic
    @Option(name: .customLong("checkpoint-every"), help: "Also checkpoint every N steps into --checkpoint-dir, as training does (background writes).") var checkpointEvery: Int?
    @Option(name: .customLong("checkpoint-dir"), help: "Directory for --checkpoint-every's files.") var checkpointDir: String?
    @Option(name: .customLong("simulate-nodes"), help: "Also predict img/s and efficiency at these node counts (e.g. 4,16,64,256) from this run's step on --network.") var simulateNodes: String?
    @Option(help: "Link rate for --simulate-nodes: 100mbit, 1gbit, 10gbit, … (use a rate measured with bench-allreduce for realism).") var network = "10gbit"
    @Option(name: .customLong("latency-us"), help: "Latency per ring hop for --simulate-nodes, in µs.") var latencyMicroseconds = 20.0
    @Flag(help: "Also list rank 0's slowest layers.") var layers = false
    @Option(help: "Write a Chrome trace-event JSON of every rank's steps, warm-up included, to FILE (Perfetto, chrome://tracing).") var trace: String?
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        guard windows >= 1 else { throw ValidationError("--windows must be at least 1 (got \(windows))") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative (got \(warmup))") }
        if let imageSize, imageSize < 1 { throw ValidationError("--image-size must be at least 1 (got \(imageSize))") }
        if let classes, classes < 2 { throw ValidationError("--classes must be at least 2 (got \(classes))") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        if let simulateNodes {
            guard Self.nodeCounts(simulateNodes) != nil else { throw ValidationError("--simulate-nodes takes node counts ≥ 1 separated by commas (got '\(simulateNodes)')") }
        }
        guard ScalingModel.bitsPerSecond(network) != nil else { throw ValidationError("--network must be a rate such as 100mbit, 1gbit or 10gbit (got '\(network)')") }
        guard latencyMicroseconds >= 0 else { throw ValidationError("--latency-us must not be negative (got \(latencyMicroseconds))") }
        if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1 (got \(checkpointEvery))") }
        if (checkpointEvery == nil) != (checkpointDir == nil) { throw ValidationError("--checkpoint-every and --checkpoint-dir go together") }
        _ = try ModelZoo.entry(named: model)
    }

    /// "4,16,64" → [4, 16, 64]; nil when any entry is not a count ≥ 1.
    static func nodeCounts(_ text: String) -> [Int]? {
        let counts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        return counts.map { $0! }
    }

    func run() throws {
        try DistributedRun.run(stallTimeout: nil, threads: threads) { communicator, threadCount in
            let entry = try ModelZoo.entry(named: model)
            let input = imageSize.map { Shape([entry.defaultInput[0], $0, $0]) } ?? entry.defaultInput
            let network = try ModelZoo.network(named: model, classes: classes, input: input, convolution: conv)
            var configuration = TrainingConfiguration(model: model)
            configuration.globalBatch = batchSize
            configuration.threads = threadCount
            configuration.bucketBytes = Int(bucketMB * 1_048_576)
            configuration.overlapCommunication = !noOverlap
            configuration.allreduceFormat = allreduceDType.halfPrecision
            configuration.checkpointEverySteps = checkpointEvery
            configuration.checkpointDirectory = checkpointDir
            TraceFile.start(trace, rank: communicator.rank)
            let measurement = try ThroughputBenchmark.measure(network: network, communicator: communicator, configuration: configuration,
                                                              steps: steps, windows: windows, warmup: warmup)
            try TraceFile.finish(trace, communicator: communicator)
            let all = try communicator.allgather(Array(JSONEncoder().encode(measurement)))
                .map { try JSONDecoder().decode(ThroughputBenchmark.Measurement.self, from: Data($0)) }
            if communicator.rank == 0 {
                let report = BenchReport(model: model, input: network.inputShape, forwardFLOPs: network.forwardFLOPs, convolution: conv,
                                         batchSize: batchSize, threadsPerRank: threadCount, ranks: all)
                Console.line(json ? try report.json() : report.table(layers: layers))
                if let counts = simulateNodes.flatMap(Self.nodeCounts), let first = all.first {
                    let model = ScalingModel(
                        forwardMilliseconds: first.stepMilliseconds["forward"] ?? 0, backwardMilliseconds: first.stepMilliseconds["backward"] ?? 0,
                        optimizerMilliseconds: first.stepMilliseconds["optimizer"] ?? 0, imagesPerNode: batchSize,
                        gradientBytes: Double(network.arena.trainableCount * 4), bitsPerSecond: ScalingModel.bitsPerSecond(self.network)!,
                        hopLatency: latencyMicroseconds / 1e6)
                    Console.line(ScalingTable(model: model, network: self.network, nodes: counts).render())
                }
            }
            return 0
        }
    }
}
