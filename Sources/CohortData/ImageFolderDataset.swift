import CohortRandom
/// An ImageNet-style dataset: one image file per sample, label = index of its class folder in the sorted class list.
/// Each `load` decodes the file (JPEG at a reduced DCT scale when much larger than needed), then one bilinear warp
/// does crop/resize, flip, shift and rotation into normalized CHW.
package struct ImageFolderDataset: ImageDataset, SampleSubsetting {
    /// Evaluation (and non-crop training) keeps the centre 0.875 of the largest output-shaped window: resize 256 → crop 224.
    package static let centerFraction = 0.875

    package let classNames: [String]
    package let imageShape: ImageShape
    /// Absolute file paths, one per sample.
    package let files: [String]
    package let labels: [Int32]
    package let normalization: PixelNormalization
    package let pixelLimit: Int

    package var count: Int { files.count }

    package init(files: [String], labels: [Int32], classNames: [String], imageShape: ImageShape,
                normalization: PixelNormalization = .imageNet, pixelLimit: Int = ImageDecoder.defaultPixelLimit) {
        precondition(files.count == labels.count, "ImageFolderDataset: \(files.count) files but \(labels.count) labels")
        precondition(imageShape.channels == 1 || imageShape.channels == 3, "ImageFolderDataset: 1 or 3 channels, not \(imageShape.channels)")
        self.files = files
        self.labels = labels
        self.classNames = classNames
        self.imageShape = imageShape
        self.normalization = normalization
        self.pixelLimit = pixelLimit
    }

    /// The samples at `positions` (in that order) as a dataset.
    package func subset(_ positions: [Int]) -> ImageFolderDataset {
        ImageFolderDataset(files: positions.map { files[$0] }, labels: positions.map { labels[$0] }, classNames: classNames,
                           imageShape: imageShape, normalization: normalization, pixelLimit: pixelLimit)
    }

    package func label(at index: Int) -> Int { Int(labels[index]) }

    /// Shorter side the decoder must keep so the centre crop is not upsampled (256 for 224×224).
    var minimumShortSide: Int { Self.minimumShortSide(for: imageShape) }

    /// The shorter side a source must keep for `shape`'s centre crop: the JPEG decoder's DCT scaling target.
    static func minimumShortSide(for shape: ImageShape) -> Int {
        Int((Double(max(shape.height, shape.width)) / centerFraction).rounded(.up))
    }

    package func load(_ index: Int, into out: UnsafeMutableBufferPointer<Float>, augmentation: Augmentation, key: SampleKey) throws {
        let raster = try ImageDecoder.decode(path: files[index], channels: imageShape.channels,
                                             minimumShortSide: minimumShortSide, pixelLimit: pixelLimit)
        Self.render(raster, into: out, shape: imageShape, normalization: normalization, augmentation: augmentation, key: key)
    }

    /// Evaluation-style loading of any image file (resize + centre crop, no augmentation), e.g. for `cohort predict`.
    /// `centerFraction` 1 resizes the whole image (what IDX-trained models saw).
    package static func loadFile(_ path: String, shape: ImageShape, normalization: PixelNormalization,
                                centerFraction: Double = centerFraction) throws -> [Float] {
        let raster = try ImageDecoder.decode(path: path, channels: shape.channels == 1 ? 1 : 3)
        var out = [Float](repeating: 0, count: shape.count)
        let t = SampleTransform.center(sourceWidth: raster.width, sourceHeight: raster.height, output: shape, fraction: centerFraction)
        out.withUnsafeMutableBufferPointer {
            Warp.sample(raster, map: t.affineMap(width: shape.width, height: shape.height), into: $0, shape: shape, normalization: normalization)
        }
        return out
    }

    static func render(_ raster: Raster, into out: UnsafeMutableBufferPointer<Float>, shape: ImageShape,
                       normalization: PixelNormalization, augmentation: Augmentation, key: SampleKey) {
        let t = augmentation.transform(sourceWidth: raster.width, sourceHeight: raster.height, output: shape,
                                       centerFraction: centerFraction, key: key)
        Warp.sample(raster, map: t.affineMap(width: shape.width, height: shape.height), into: out, shape: shape,
                    normalization: normalization)
    }
}
