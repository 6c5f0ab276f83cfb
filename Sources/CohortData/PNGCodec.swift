import CPNG

/// PNG decoding and encoding through libpng's simplified `png_image_*` API (the classic API needs `setjmp`).
/// libpng converts every input (gray, gray+alpha, RGB, RGBA, palette, 16-bit) to the requested 8-bit format;
/// alpha is composited onto black.
enum PNGCodec {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, path: String, channels: Int, pixelLimit: Int) throws -> Raster {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            throw DataError.badImage(path: path, reason: "PNG header: \(message(image))")
        }
        let width = Int(image.width), height = Int(image.height)
        guard width * height <= pixelLimit else {
            png_image_free(&image)
            throw DataError.imageTooLarge(path: path, width: width, height: height, limit: pixelLimit)
        }
        image.format = channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else { throw DataError.badImage(path: path, reason: "PNG data: \(message(image))") }
        return Raster(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Encodes an 8-bit raster (1 or 3 channels) losslessly.
    static func encode(_ raster: Raster) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(raster.width)
        image.height = UInt32(raster.height)
        image.format = raster.channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        var size = 0
        try raster.pixels.withUnsafeBytes { pixels in
            guard png_image_write_to_memory(&image, nil, &size, 0, pixels.baseAddress, 0, nil) != 0 else {
                throw DataError.invalidOption("PNG encoding failed: \(message(image))")
            }
        }
        var output = [UInt8](repeating: 0, count: size)
        try raster.pixels.withUnsafeBytes { pixels in
            let ok = output.withUnsafeMutableBytes { png_image_write_to_memory(&image, $0.baseAddress, &size, 0, pixels.baseAddress, 0, nil) }
            guard ok != 0 else { throw DataError.invalidOption("PNG encoding failed: \(message(image))") }
        }
        return Array(output[0..<size])
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
