/// `pyrometer sample` in the registry (provisional: the sampler's own entry replaces it).
extension Tool {
    public static let sample = Tool(
        name: "sample", result: SampleProfile.self,
        render: { profile, _ in "\(profile.samplesTaken) samples of \(profile.command.joined(separator: " ")) (\(profile.mode) mode, \(profile.stacks.count) stacks)\n" })
}
