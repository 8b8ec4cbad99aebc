import CNCurses
import CVigilSignals
import VigilRender
