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
    ],
    targets: [
        // Native libraries: thin system-library shims. C types never leak into public API.
        .systemLibrary(name: "CMPI", pkgConfig: "mpi", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CTurboJPEG", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "CohortCore", dependencies: ["COpenBLAS"]),
        .target(name: "CohortModels", dependencies: ["CohortCore"]),
        .target(name: "CohortData", dependencies: ["CTurboJPEG", "CPNG", "CZlib"]),
        .target(name: "CohortDistributed", dependencies: ["CMPI"]),
        .target(name: "CohortTraining", dependencies: ["CohortCore", "CohortData", "CohortDistributed", "CZlib"]),
        .executableTarget(name: "cohort", dependencies: [
            "CohortCore", "CohortModels", "CohortData", "CohortDistributed", "CohortTraining",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "CohortTestSupport", dependencies: ["CohortCore"], path: "Tests/CohortTestSupport"),
        .testTarget(name: "CohortCoreTests", dependencies: ["CohortCore", "CohortTestSupport"]),
        .testTarget(name: "CohortModelsTests", dependencies: ["CohortModels", "CohortTestSupport", "cohort"]),
        .testTarget(name: "CohortDataTests", dependencies: ["CohortData", "CTurboJPEG", "CPNG", "CZlib"]),
        .testTarget(name: "CohortDistributedTests", dependencies: ["CohortDistributed", "cohort"]),
        .testTarget(name: "CohortTrainingTests", dependencies: ["CohortTraining", "CohortModels", "CohortTestSupport", "cohort"]),
    ]
)
