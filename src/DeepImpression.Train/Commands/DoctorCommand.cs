using System.CommandLine;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression doctor</c>: what the CUDA backend finds here: driver version, each GPU with its compute
/// capability and memory, the cuDNN, cuBLAS and NVRTC versions and files, or exactly what is missing and where it
/// was looked for. Exits non-zero when the GPU backend cannot run.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the CUDA setup: driver, GPUs, cuDNN, cuBLAS and NVRTC, or what is missing.");
        command.SetAction(_ => Run(Console.Out, Console.Error));
        return command;
    }

    internal static int Run(TextWriter output, TextWriter errors)
    {
        var report = CudaEnvironmentReport.Probe();
        output.WriteLine("CUDA backend check");
        foreach (var library in report.Libraries)
        {
            var state = library switch
            {
                { Found: false } => "not found",
                { Problem: not null } => $"found, not working ({library.Path})",
                _ => $"{library.Version} ({library.Path})",
            };
            output.WriteLine($"  {library.Name,-12} {state}");
        }
        if (report.Devices.Count == 0) output.WriteLine("  GPUs         none");
        foreach (var device in report.Devices) output.WriteLine($"  GPU          {device}");

        if (report.Ready)
        {
            output.WriteLine("Ready: train with --device cuda.");
            return 0;
        }
        foreach (var problem in report.Problems) errors.WriteLine($"error: {problem}");
        errors.WriteLine("The CUDA backend cannot run here; --device cpu still works.");
        return CommandErrors.Failure;
    }
}
