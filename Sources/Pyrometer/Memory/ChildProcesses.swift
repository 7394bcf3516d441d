import Glibc

/// The resident memory of this process's descendants (its children, theirs, and
/// so on), for `--include-children`: memory_profiler adds the same sum (psutil's
/// children(recursive=True)) into its Mem usage column.
///
/// Children are found through `/proc/PID/task/TID/children`; on kernels without
/// those files, by reading every process's parent from `/proc/*/stat`. It never
/// touches Python, so the sampler thread may call it too.
enum ChildProcesses {
    /// The RSS of every descendant, in bytes (0 when there are none).
    static func residentBytes() -> UInt64 {
        let children = childrenFilesExist ? nil : parentsOfAllProcesses()
        var pending = self.children(of: getpid(), parents: children)
        var seen: Set<Int32> = []
        var total: UInt64 = 0
        while let pid = pending.popLast() {
            // A bound, should /proc ever describe a loop.
            guard seen.count < 100_000, seen.insert(pid).inserted else { continue }
            total &+= residentBytes(of: pid)
            pending += self.children(of: pid, parents: children)
        }
        return total
    }

    /// Whether the kernel lists each thread's children (CONFIG_PROC_CHILDREN).
    static let childrenFilesExist: Bool = {
        let pid = getpid()
        return access("/proc/\(pid)/task/\(pid)/children", R_OK) == 0
    }()

    private static let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))

    private static func residentBytes(of pid: Int32) -> UInt64 {
        guard let text = read("/proc/\(pid)/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = UInt64(fields[1]) else { return 0 }
        return pages &* pageSize
    }

    private static func children(of pid: Int32, parents: [Int32: [Int32]]?) -> [Int32] {
        if let parents { return parents[pid] ?? [] }
        var found: [Int32] = []
        for thread in numericEntries(of: "/proc/\(pid)/task") {
            guard let text = read("/proc/\(pid)/task/\(thread)/children") else { continue }
            found += text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
        }
        return found
    }

    /// Every process's children, from the parent field of `/proc/PID/stat`.
    private static func parentsOfAllProcesses() -> [Int32: [Int32]] {
        var children: [Int32: [Int32]] = [:]
        for pid in numericEntries(of: "/proc") {
            // "pid (comm) state ppid ...": the name may hold spaces and parentheses.
            guard let text = read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            if fields.count >= 2, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
        }
        return children
    }

    private static func numericEntries(of folder: String) -> [Int32] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var numbers: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let number = Int32(name) { numbers.append(number) }
        }
        return numbers
    }

    /// A small /proc file's text; nil when it cannot be read (the process ended).
    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
