// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Cohort",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cohort", targets: ["cohort"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Native libraries: thin system-library shims. C types never leak into public API.
        .systemLibrary(name: "CMPI", pkgConfig: "mpi", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CTurboJPEG", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "CohortRandom"),
        .target(name: "CohortTrace"),
        .target(name: "CohortCore", dependencies: ["CohortRandom", "CohortTrace", "COpenBLAS"]),
        .target(name: "CohortModels", dependencies: ["CohortCore"]),
        .target(name: "CohortData", dependencies: ["CohortRandom", "CTurboJPEG", "CPNG", "CZlib"]),
        .target(name: "CohortDistributed", dependencies: ["CohortRandom", "CohortTrace", "CMPI"]),
        .target(name: "CohortLaunch"),
        .target(name: "CohortTraining", dependencies: ["CohortCore", "CohortRandom", "CohortTrace", "CohortData", "CohortDistributed", "CZlib"]),
        // Deployable files from a built network: ONNX through swift-protobuf's generated messages.
        .target(name: "CohortExport", dependencies: ["CohortCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .executableTarget(name: "cohort", dependencies: [
            "CohortCore", "CohortModels", "CohortData", "CohortDistributed", "CohortTraining", "CohortTrace", "CohortLaunch", "CohortExport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "CohortTestSupport", dependencies: ["CohortCore", "CohortRandom"], path: "Tests/CohortTestSupport"),
        .testTarget(name: "CohortRandomTests", dependencies: ["CohortRandom"]),
        .testTarget(name: "CohortCoreTests", dependencies: ["CohortCore", "CohortRandom", "CohortTestSupport"]),
        .testTarget(name: "CohortModelsTests", dependencies: ["CohortModels", "CohortRandom", "CohortTestSupport"]),
        .testTarget(name: "CohortDataTests", dependencies: ["CohortData", "CohortRandom", "CohortTestSupport", "CTurboJPEG", "CPNG", "CZlib"]),
        .testTarget(name: "CohortDistributedTests", dependencies: ["CohortDistributed", "cohort"]),
        .testTarget(name: "CohortLaunchTests", dependencies: ["CohortLaunch"]),
        .testTarget(name: "CohortTrainingTests", dependencies: ["CohortTraining", "CohortModels", "CohortTestSupport"]),
        // The command line end to end: the built `cohort` run alone, under mpirun, across
        // namespace hosts and under Slurm.
        .testTarget(name: "CohortCommandTests", dependencies: ["CohortTraining", "CohortModels", "CohortData", "CohortExport", "CohortRandom", "CohortTestSupport", "cohort"]),
    ]
)
