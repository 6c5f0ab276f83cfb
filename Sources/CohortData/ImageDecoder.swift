/// Image file formats Cohort reads and writes.
package enum ImageFormat: String, Sendable, CaseIterable {
    case png, jpeg

    /// The file extension written for this format.
    package var fileExtension: String { self == .png ? "png" : "jpg" }
}

/// Reads JPEG and PNG files into 8-bit rasters, choosing the decoder by the file's signature (not its name).
package enum ImageDecoder {
    /// Largest image accepted, in pixels (width × height), checked from the header before any allocation.
    package static let defaultPixelLimit = 100_000_000

    /// Decodes the file at `path` to `channels` (1 or 3). `minimumShortSide` lets JPEG decode at a reduced scale
    /// (0 = full size). Errors name the file: empty, not a JPEG/PNG, corrupt or truncated, too many pixels.
    package static func decode(path: String, channels: Int, minimumShortSide: Int = 0,
                              pixelLimit: Int = defaultPixelLimit) throws -> Raster {
        let bytes = try FileReading.readRaw(path)
        return try decode(bytes, path: path, channels: channels, minimumShortSide: minimumShortSide, pixelLimit: pixelLimit)
    }

    /// Decodes in-memory file contents; `path` is only used in error messages.
    package static func decode(_ bytes: [UInt8], path: String, channels: Int, minimumShortSide: Int = 0,
                              pixelLimit: Int = defaultPixelLimit) throws -> Raster {
        precondition(channels == 1 || channels == 3, "ImageDecoder: channels must be 1 or 3, not \(channels)")
        guard !bytes.isEmpty else { throw DataError.emptyFile(path: path) }
        return try bytes.withUnsafeBufferPointer { buffer in
            switch format(of: buffer) {
            case .jpeg?:
                return try JPEGCodec.decode(buffer, path: path, channels: channels, minimumShortSide: minimumShortSide, pixelLimit: pixelLimit)
            case .png?:
                return try PNGCodec.decode(buffer, path: path, channels: channels, pixelLimit: pixelLimit)
            case nil:
                let head = buffer.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
                throw DataError.badImage(path: path, reason: "not a JPEG or PNG file (first bytes: \(head))")
            }
        }
    }

    /// The width and height an image file's header announces (JPEG or PNG), without decoding it.
    package static func dimensions(_ bytes: [UInt8], path: String) throws -> (width: Int, height: Int) {
        try bytes.withUnsafeBufferPointer { buffer in
            switch format(of: buffer) {
            case .jpeg?: return try JPEGCodec.dimensions(buffer, path: path)
            case .png?:
                // The IHDR chunk follows the signature: length, "IHDR", then big-endian width and height.
                guard buffer.count >= 24 else { throw DataError.badImage(path: path, reason: "PNG header truncated") }
                func be(_ i: Int) -> Int { buffer[i ..< i + 4].reduce(0) { $0 << 8 | Int($1) } }
                return (be(16), be(20))
            case nil:
                throw DataError.badImage(path: path, reason: "not a JPEG or PNG file")
            }
        }
    }

    /// Encodes a raster as `format` (JPEG at `quality`).
    package static func encode(_ raster: Raster, format: ImageFormat, quality: Int = 95) throws -> [UInt8] {
        switch format {
        case .png: return try PNGCodec.encode(raster)
        case .jpeg: return try JPEGCodec.encode(raster, quality: quality)
        }
    }

    /// The format announced by the file signature, if any.
    static func format(of bytes: UnsafeBufferPointer<UInt8>) -> ImageFormat? {
        if bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF { return .jpeg }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 8 && zip(bytes.prefix(8), png).allSatisfy({ $0 == $1 }) { return .png }
        return nil
    }
}
