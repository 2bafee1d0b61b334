// The end-to-end tests mostly wait on child processes and sockets, so more of them can run at once than there are cores.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
