/// One parsed IDX file (the MNIST format, http://yann.lecun.com/exdb/mnist/): unsigned-byte data of 1 or 3 dimensions.
///
/// Layout: big-endian magic `0x0000 08 D` (type 0x08 = ubyte, D = number of dimensions), D big-endian UInt32 sizes,
/// then the data. The file size must equal header + product of sizes exactly.
struct IDXFile: Sendable {
    let path: String
    let dimensions: [Int]
    /// The data bytes (header removed).
    let data: [UInt8]

    var count: Int { dimensions[0] }

    /// Parses `path` (raw or `.gz`), requiring `expectedDimensions` dimensions (3 for images, 1 for labels).
    init(path: String, expectedDimensions: Int) throws {
        let bytes = try FileReading.read(path)
        try self.init(path: path, bytes: bytes, expectedDimensions: expectedDimensions)
    }

    init(path: String, bytes: [UInt8], expectedDimensions: Int) throws {
        self.path = path
        guard !bytes.isEmpty else { throw DataError.emptyFile(path: path) }
        guard bytes.count >= 4 else { throw DataError.badIDX(path: path, reason: "only \(bytes.count) bytes, too short for a header") }
        let magic = IDXFile.bigEndian(bytes, 0)
        let expectedMagic = 0x0800 | expectedDimensions
        guard magic == expectedMagic else {
            throw DataError.badIDX(path: path, reason: "magic number 0x\(String(magic, radix: 16)) where 0x\(String(expectedMagic, radix: 16)) (unsigned byte, \(expectedDimensions) dimension\(expectedDimensions == 1 ? "" : "s")) was expected")
        }
        let header = 4 + 4 * expectedDimensions
        guard bytes.count >= header else {
            throw DataError.badIDX(path: path, reason: "only \(bytes.count) bytes, too short for a \(header)-byte header")
        }
        var dims: [Int] = []
        var total = 1
        for d in 0..<expectedDimensions {
            let size = IDXFile.bigEndian(bytes, 4 + 4 * d)
            guard size > 0 || d == 0 else { throw DataError.badIDX(path: path, reason: "dimension \(d) is 0") }
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow, product <= FileReading.maxBytes else {
                throw DataError.badIDX(path: path, reason: "dimensions \(dims + [size]) claim more data than any file can hold")
            }
            dims.append(size)
            total = product
        }
        let expected = header + total
        guard bytes.count == expected else {
            let dimsText = dims.map(String.init).joined(separator: "x")
            throw DataError.badIDX(path: path, reason: "header claims \(dimsText) = \(expected) bytes but the file has \(bytes.count) bytes (\(bytes.count < expected ? "truncated" : "trailing data"))")
        }
        self.dimensions = dims
        self.data = Array(bytes[header...])
    }

    private static func bigEndian(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
    }
}
