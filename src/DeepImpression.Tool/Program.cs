using DeepImpression.Train.Commands;

// The deepimpression tool: the command line lives in DeepImpression.Train, where a program can call it too.
return DeepImpressionCommand.Run(args);
