using System.CommandLine;

namespace DeepImpression.Train.Commands;

/// <summary>Every subcommand of <c>deepimpression</c>; each lives in its own file.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        SummaryCommand.Create(),
        BenchCommand.Create(),
        LabelsCommand.Create(),
        SynthCommand.Create(),
        PrepareCommand.Create(),
        TrainCommand.Create(),
        EvaluateCommand.Create(),
        PredictCommand.Create(),
        OcclusionCommand.Create(),
        ImportCommand.Create(),
        DoctorCommand.Create(),
        ServeCommand.Create(),
        ProfileCommand.Create(),
        FaceRegionsCommand.Create(),
        ExtremesCommand.Create(),
    ];
}
