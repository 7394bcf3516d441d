import PyrometerCLI

// The executable embeds the interpreter (PythonEmbedding); the commands are in PyrometerCLI.
PyrometerCommand.run(arguments: Array(CommandLine.arguments.dropFirst()))
